import { gzipSync } from 'node:zlib';
import { decodeOtlpStatus } from '@obs/otlp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, storedEventIds } from '../test/harness.js';
import { withReadStore } from '../test/otel-client.js';

/** An OTLP success answer: a partial success (empty when every span was stored). */
type Answer = {
  partialSuccess: { rejectedSpans?: number; rejectedLogRecords?: number; errorMessage: string };
};

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
let url: string;
beforeAll(async () => {
  ctx = await startTestCollector({ OBS_MAX_BODY_BYTES: String(256 * 1024) });
  url = ctx.collector.url;
});
afterAll(() => ctx.cleanup());

const send = async (path: string, body: Uint8Array | string, headers: Record<string, string>) => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = Buffer.from(bytes).toString('utf8');
  return { status: response.status, text, bytes, json: () => JSON.parse(text) as Answer };
};
const json = (body: unknown, extra: Record<string, string> = {}) =>
  send('/v1/traces', JSON.stringify(body), { 'content-type': 'application/json', ...extra });

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
const span = (i: number, extra: Record<string, unknown> = {}) => ({
  traceId: hex(0xabc, 16),
  spanId: hex(i + 1, 8),
  name: `op-${i}`,
  startTimeUnixNano: '1767225600123456789',
  endTimeUnixNano: '1767225600223456789',
  ...extra,
});
const request = (spans: unknown[]) => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }],
});

describe('OTLP routes refuse hostile input with the right status', () => {
  it.each([
    [
      'malformed protobuf',
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      'application/x-protobuf',
      400,
    ],
    ['bad JSON', '{"resourceSpans": [', 'application/json', 400],
    ['a JSON array', '[]', 'application/json', 400],
    ['JSON of the wrong shape', '{"resourceSpans": 5}', 'application/json', 400],
    ['ids that are not hex', JSON.stringify(request([span(0, { traceId: 'zz' })])), 'application/json', 400],
    ['a wrong content type', 'hello', 'text/plain', 415],
    ['no content type', 'hello', '', 415],
  ])('%s is refused', async (_name, body, type, status) => {
    const answer = await send('/v1/traces', body, type ? { 'content-type': type } : {});
    expect(answer.status).toBe(status);
    const format = type === 'application/x-protobuf' ? 'protobuf' : 'json';
    expect(decodeOtlpStatus(Buffer.from(answer.bytes), format)?.message).toMatch(/./);
  });

  it('a body over the limit → 413', async () => {
    const answer = await send('/v1/logs', Buffer.alloc(300 * 1024, 1), {
      'content-type': 'application/x-protobuf',
    });
    expect(answer.status).toBe(413);
  });

  it('a gzip bomb (small on the wire, over the limit inflated) → 413, without inflating it whole', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const answer = await send('/v1/traces', bomb, {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(answer.status).toBe(413);
  });

  it('a body that is not gzip under Content-Encoding: gzip → 400; an unknown encoding → 415', async () => {
    const bad = await send('/v1/traces', 'not gzip', {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    const unknown = await send('/v1/traces', '{}', {
      'content-type': 'application/json',
      'content-encoding': 'br',
    });
    expect([bad.status, unknown.status]).toEqual([400, 415]);
  });

  it('spans with missing or invalid ids are rejected as partial success; the valid ones are stored', async () => {
    const before = storedEventIds(ctx.dir).length;
    const answer = await json(
      request([
        span(0),
        span(1, { traceId: '' }),
        span(2, { spanId: hex(0, 8) }),
        span(3, { startTimeUnixNano: '0' }),
        span(4, { endTimeUnixNano: '1' }),
        span(5),
      ]),
    );
    expect(answer.status).toBe(200);
    const partial = answer.json().partialSuccess;
    expect(partial.rejectedSpans).toBe(4);
    expect(partial.errorMessage).toMatch(/span 1: traceId must be 16 bytes/);
    expect(partial.errorMessage).toMatch(/span 2: spanId/);
    expect(partial.errorMessage).toMatch(/span 3: startTimeUnixNano is missing/);
    expect(partial.errorMessage).toMatch(/span 4: endTimeUnixNano is before/);
    expect(storedEventIds(ctx.dir).length - before).toBe(2);
  });

  it('a record whose event fails validation (an event type unknown here) is rejected alone', async () => {
    const logs = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '1767225600123456789', severityNumber: 9, body: { stringValue: 'ok' } },
                {
                  timeUnixNano: '1767225600123456789',
                  attributes: [
                    { key: 'obs.event_type', value: { stringValue: 'made.up' } },
                    { key: 'obs.payload', value: { stringValue: '{}' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const answer = await send('/v1/logs', JSON.stringify(logs), { 'content-type': 'application/json' });
    expect(answer.status).toBe(200);
    expect(answer.json().partialSuccess).toMatchObject({ rejectedLogRecords: 1 });
    expect(answer.json().partialSuccess.errorMessage).toMatch(/item 1: .*made\.up/);
  });

  it('huge attribute values are kept bounded, the span stored', async () => {
    const huge = 'x'.repeat(200 * 1024);
    const answer = await json(
      request([
        span(9, { traceId: hex(0xdef, 16), attributes: [{ key: 'big', value: { stringValue: huge } }] }),
      ]),
    );
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({});
    const big = await withReadStore(ctx.dir, async (store) => {
      const stored = await store.getTraceTree(hex(0xdef, 16));
      return (stored.roots[0]!.event.payload['otel'] as { attributes: { big: string } }).attributes.big;
    });
    expect(big.length).toBeLessThan(20_000);
    expect(big.endsWith('…[truncated]')).toBe(true);
  });

  it('GET on an OTLP route → 405 naming POST', async () => {
    const response = await fetch(`${url}/v1/traces`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
