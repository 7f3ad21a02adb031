import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { createOtlpSink, decodeOtlpStatus, encodeOtlpRequest, RPC_CODES } from '@obs/otlp';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectorServer } from '../http/collector-server.js';
import { createLiveStatsSink } from '../live-stats.js';
import { startTestCollector } from '../test/harness.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
let url: string;
beforeAll(async () => {
  ctx = await startTestCollector({
    OBS_MAX_BODY_BYTES: String(4096),
    OBS_COLLECTOR_TOKEN: 'secret-token-0123456789',
  });
  url = ctx.collector.url;
});
afterAll(() => ctx.cleanup());

const auth = { authorization: 'Bearer secret-token-0123456789' };
async function send(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { ...auth, ...headers }, body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, bytes };
}
const span = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'op',
  startTimeUnixNano: '1767225600123456789',
  endTimeUnixNano: '1767225600223456789',
};
/** A fresh request each time: protobuf encoding turns its hex ids into bytes in place. */
const traces = (spans: object[]) => ({
  resourceSpans: [{ scopeSpans: [{ spans: spans.map((s) => ({ ...s })) }] }],
});

describe('OTLP error answers are google.rpc.Status, in the request’s format', () => {
  it.each([
    [
      'malformed protobuf',
      '/v1/traces',
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]),
      PROTOBUF,
      400,
      RPC_CODES.INVALID_ARGUMENT,
      /INVALID_OTLP: the body is not a protobuf/,
    ],
    [
      'bad JSON',
      '/v1/logs',
      '{"resourceLogs": [',
      JSON_TYPE,
      400,
      RPC_CODES.INVALID_ARGUMENT,
      /INVALID_OTLP: the body is not valid JSON/,
    ],
    [
      'a protobuf body over the limit',
      '/v1/traces',
      Buffer.alloc(8192, 1),
      PROTOBUF,
      413,
      RPC_CODES.RESOURCE_EXHAUSTED,
      /TOO_LARGE/,
    ],
    [
      'a JSON body over the limit',
      '/v1/logs',
      'x'.repeat(8192),
      JSON_TYPE,
      413,
      RPC_CODES.RESOURCE_EXHAUSTED,
      /TOO_LARGE/,
    ],
    [
      'an unknown content type',
      '/v1/traces',
      'hello',
      'text/plain',
      415,
      RPC_CODES.INVALID_ARGUMENT,
      /UNSUPPORTED_MEDIA_TYPE: content-type "text\/plain"/,
    ],
  ])(
    '%s (%s) → its status, with a Status of the right code',
    async (_name, path, body, type, status, code, message) => {
      const answer = await send(path, body, { 'content-type': type });
      expect(answer.status).toBe(status);
      const format = type === PROTOBUF ? 'protobuf' : 'json';
      expect(answer.type).toBe(format === 'protobuf' ? PROTOBUF : JSON_TYPE);
      const decoded = decodeOtlpStatus(answer.bytes, format);
      expect(decoded?.code).toBe(code);
      expect(decoded?.message).toMatch(message);
      if (format === 'json')
        expect(Object.keys(JSON.parse(Buffer.from(answer.bytes).toString()))).toEqual(['code', 'message']);
    },
  );

  it('a missing token → 401 UNAUTHENTICATED, as protobuf for a protobuf request', async () => {
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': PROTOBUF },
      body: encodeOtlpRequest('traces', traces([span]), 'protobuf'),
    });
    expect(response.status).toBe(401);
    const status = decodeOtlpStatus(new Uint8Array(await response.arrayBuffer()), 'protobuf');
    expect(status?.code).toBe(RPC_CODES.UNAUTHENTICATED);
  });

  it('a request over the limit announced with Expect: 100-continue → 413 Status before the body is sent', async () => {
    const { request } = await import('node:http');
    const target = new URL(`${url}/v1/traces`);
    const answer = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = request(target, {
        method: 'POST',
        headers: { ...auth, 'content-type': PROTOBUF, 'content-length': 100_000, expect: '100-continue' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(decodeOtlpStatus(answer.body, 'protobuf')?.code).toBe(RPC_CODES.RESOURCE_EXHAUSTED);
  });
});

describe('503 when a sink could not store the spans', () => {
  it.each([PROTOBUF, JSON_TYPE])('%s → 503 + Retry-After, Status UNAVAILABLE', async (type) => {
    const obs = createObservability({
      source: 'collector',
      sinks: [createMemorySink({ name: 'broken', failWrites: 1_000 })],
      queue: { maxRetries: 0 },
    });
    const server = createCollectorServer({ obs, liveStats: createLiveStatsSink() });
    try {
      const serverUrl = `http://127.0.0.1:${(await server.listen(0)).port}`;
      const format = type === PROTOBUF ? 'protobuf' : 'json';
      const response = await fetch(`${serverUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: encodeOtlpRequest('traces', traces([span]), format),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const status = decodeOtlpStatus(new Uint8Array(await response.arrayBuffer()), format);
      expect(status).toMatchObject({
        code: RPC_CODES.UNAVAILABLE,
        message: expect.stringMatching(/NOT_STORED/),
      });
    } finally {
      await server.close();
      await obs.shutdown();
    }
  });
});

/** One finished span with an attribute large enough to pass the collector's 4 KiB limit. */
async function bigSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider
    .getTracer('t')
    .startSpan('chat', { attributes: { 'gen_ai.input.messages': 'x'.repeat(10_000) } })
    .end();
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

describe.each([
  ['exporter-trace-otlp-proto', (u: string) => new ProtoExporter({ url: u, headers: auth })],
  ['exporter-trace-otlp-http', (u: string) => new HttpJsonExporter({ url: u, headers: auth })],
])('OpenTelemetry JS %s reads the Status', (name, make) => {
  it('413: the export fails for good; its error carries the Status the collector sent', async () => {
    const exporter = make(`${url}/v1/traces`);
    const spans = await bigSpans();
    const result = await new Promise<{ code: number; error?: Error & { code?: number; data?: string } }>(
      (resolve) => exporter.export(spans, resolve),
    );
    await exporter.shutdown();
    expect(result.code).toBe(1);
    expect(result.error?.code).toBe(413);
    const data = result.error?.data ?? '';
    if (name === 'exporter-trace-otlp-http') {
      expect(JSON.parse(data)).toMatchObject({
        code: RPC_CODES.RESOURCE_EXHAUSTED,
        message: expect.stringMatching(/TOO_LARGE/),
      });
    } else {
      // the exporter keeps the body as UTF-8 text: field 1 (code) leads, then the message
      expect([data.charCodeAt(0), data.charCodeAt(1)]).toEqual([0x08, RPC_CODES.RESOURCE_EXHAUSTED]);
      expect(data).toMatch(/TOO_LARGE: /);
    }
  });
});

describe('@obs/otlp createOtlpSink reads the Status', () => {
  it.each(['http/protobuf', 'http/json'] as const)(
    '%s: a refused export is logged with the collector’s Status message',
    async (protocol) => {
      const errors: string[] = [];
      const logger = { error: (m: string) => errors.push(m), warn: () => {} };
      const obs = createObservability({
        source: 'agent',
        defaultRunId: 'run-1',
        sinks: [createOtlpSink({ url, headers: auth, protocol, logger })],
      });
      obs.emit('llm.call', { provider: 'p', model: 'm', input: 'x'.repeat(10_000) }, { duration_ms: 1 });
      await obs.flush();
      expect(obs.stats().sinks[0]).toMatchObject({ failed: 1 });
      await obs.shutdown();
      expect(errors.join('\n')).toMatch(
        /HTTP 413 .*: PAYLOAD_TOO_LARGE: request body exceeds 4096 bytes; .* \(rpc code 8\)/,
      );
    },
  );
});
