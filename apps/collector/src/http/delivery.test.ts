import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createLiveStatsSink } from '../live-stats.js';
import { post, sampleEvent } from '../test/harness.js';
import { type CollectorServer, createCollectorServer } from './collector-server.js';
import type { ErrorBody } from './http-error.js';

let server: CollectorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(sinks: Parameters<typeof createObservability>[0]['sinks']): Promise<string> {
  const obs = createObservability({ source: 'collector', sinks, queue: { maxRetries: 0 } });
  server = createCollectorServer({ obs, liveStats: createLiveStatsSink() });
  const address = await server.listen(0);
  return `http://127.0.0.1:${address.port}`;
}

describe('acknowledgement', () => {
  it('answers 503 NOT_STORED, never 200, when a durable sink fails to write the batch', async () => {
    const stored = createMemorySink({ name: 'ok' });
    const url = await serve([stored, createMemorySink({ name: 'broken', failWrites: 1_000 })]);
    const { status, json } = await post(`${url}/v1/events`, [sampleEvent(1), sampleEvent(2)]);
    expect(status).toBe(503);
    const error = (json as unknown as ErrorBody).error;
    expect(error.code).toBe('NOT_STORED');
    expect(error.issues).toEqual([]);
    const details = error.details as { event_ids: string[]; undelivered_ids: string[] };
    expect(details.event_ids).toHaveLength(2);
    expect(details.undelivered_ids).toEqual(details.event_ids);
    expect(stored.events.map((e) => e.event_id)).toEqual(details.event_ids);
  });

  it('lets a client retry with the same event ids', async () => {
    const sink = createMemorySink({ name: 'flaky', failWrites: 1 });
    const url = await serve([sink]);
    const event = { ...sampleEvent(1), event_id: '01930000-0000-7000-8000-000000000001' };
    expect((await post(`${url}/v1/events`, event)).status).toBe(503);
    const retry = await post(`${url}/v1/events`, event);
    expect(retry.status).toBe(200);
    expect(retry.json['event_ids']).toEqual([event.event_id]);
  });
});
