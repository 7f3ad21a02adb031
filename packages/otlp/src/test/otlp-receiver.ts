import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { type Envelope, serializeEnvelope } from '@obs/core';

// The OpenTelemetry project's own codec, generated from the official .proto files (see otlp-proto.test.ts).
const official = createRequire(import.meta.url)('otlp-official-codec/build/src/generated/root.js')
  .opentelemetry.proto.collector;

/** One request as the receiver got it. */
export interface Received {
  path: string;
  contentType: string;
  encoding: string | undefined;
  /** The request, decoded by the official codec (protobuf) or parsed (JSON), as OTLP/JSON-like objects. */
  request: OtlpJson;
}

/** A scripted answer: status and headers for the next request. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

const DECODE = { longs: String, enums: Number, bytes: String, defaults: false, json: true };

/** An OTLP/HTTP endpoint on 127.0.0.1 that keeps what it receives and answers as scripted (200 once the script is used up). */
export async function startOtlpReceiver() {
  const received: Received[] = [];
  const script: Answer[] = [];
  const server = createServer(async (req, res) => {
    const raw = await body(req);
    const answer = script.shift() ?? { status: 200 };
    if (answer.status === 200) {
      const encoding = req.headers['content-encoding'];
      const bytes = encoding === 'gzip' ? gunzipSync(raw) : raw;
      const contentType = String(req.headers['content-type']);
      const type =
        req.url === '/v1/traces'
          ? official.trace.v1.ExportTraceServiceRequest
          : official.logs.v1.ExportLogsServiceRequest;
      const request =
        contentType === 'application/json'
          ? JSON.parse(bytes.toString('utf8'))
          : type.toObject(type.decode(bytes), DECODE);
      received.push({ path: req.url ?? '', contentType, encoding, request });
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script,
    /** Every span and log record received, rebuilt as the obs envelope its `obs.*` attributes carry. */
    envelopes: () => received.flatMap(envelopesOf),
    lines: () => received.flatMap(envelopesOf).map(serializeEnvelope),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

type KeyValue = { key: string; value: Record<string, unknown> };
type Item = {
  attributes: KeyValue[];
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  timeUnixNano?: string;
};
type Scope = { spans?: Item[]; logRecords?: Item[] };
type Group = { resource: { attributes: KeyValue[] }; scopeSpans?: Scope[]; scopeLogs?: Scope[] };
/** An export request as OTLP/JSON objects. */
type OtlpJson = { resourceSpans?: Group[]; resourceLogs?: Group[] };

function value(kv: KeyValue | undefined): unknown {
  if (!kv) return undefined;
  const v = kv.value;
  if ('stringValue' in v) return v['stringValue'];
  if ('intValue' in v) return Number(v['intValue']);
  if ('doubleValue' in v) return Number(v['doubleValue']);
  if ('boolValue' in v) return v['boolValue'];
  return undefined;
}

function envelopesOf(received: Received): Envelope[] {
  const r = received.request;
  const groups = r.resourceSpans ?? r.resourceLogs ?? [];
  return groups.flatMap((group) => {
    const source = value(group.resource.attributes.find((a: KeyValue) => a.key === 'service.name')) as string;
    return (group.scopeSpans ?? group.scopeLogs ?? []).flatMap((scope) =>
      (scope.spans ?? scope.logRecords ?? []).flatMap((item) => {
        const start = BigInt(item.startTimeUnixNano ?? item.timeUnixNano ?? 0);
        const own = envelopeOf(item, 'obs.', start, source);
        // a tool call exported with its result carries the result in obs.result.*
        if (value(item.attributes.find((a) => a.key === 'obs.result.event_id')) === undefined) return [own];
        return [own, envelopeOf(item, 'obs.result.', BigInt(item.endTimeUnixNano ?? 0), source)];
      }),
    );
  });
}

function envelopeOf(item: Item, prefix: string, time: bigint, source: string): Envelope {
  const at = (key: string) => value(item.attributes.find((a: KeyValue) => a.key === `${prefix}${key}`));
  const status = at('status');
  return {
    schema_version: 1,
    event_id: at('event_id'),
    event_type: at('event_type'),
    timestamp: new Date(Number(time / 1_000_000n)).toISOString(),
    seq: at('seq'),
    source,
    run_id: at('run_id'),
    request_id: at('request_id') ?? null,
    cycle: at('cycle') ?? null,
    session_id: at('session_id') ?? null,
    turn_number: at('turn_number') ?? null,
    parent_event_id: at('parent_event_id') || null,
    audit_level: at('audit_level'),
    status: status === 'none' ? null : status,
    duration_ms: at('duration_ms') ?? null,
    payload: JSON.parse(at('payload') as string),
  } as Envelope;
}
