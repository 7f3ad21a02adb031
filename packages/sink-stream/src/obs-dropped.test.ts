import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { openSqliteReadStore } from '@obs/read-store';
import { createSqliteSink } from '@obs/sink-sqlite';
import { afterEach, expect, it } from 'vitest';
import { createStreamSink } from './stream-sink.js';
import { closeAll, RawClient, startServer } from './test/helpers.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

const PAD = 'x'.repeat(1_000);

it('a stream sink overloaded behind a stalled client, and a sink whose writes throw, are both reported as obs.dropped in SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-dropped-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const { bus, server, url } = await startServer({ slowClient: 'skip', maxPendingBytes: 64 * 1024 });
  cleanup.push(() => closeAll(server));
  // a real subscriber that stops reading once subscribed: what is sent to it piles up in its socket
  const client = await RawClient.open(url);
  cleanup.push(() => client.ws.terminate());
  client.send({ type: 'subscribe', v: 1, id: 'slow' });
  await client.next((m) => m.type === 'subscribed');
  client.ws.pause();

  const path = join(dir, 'events.db');
  const failing = createMemorySink({ name: 'archive', failWrites: Number.POSITIVE_INFINITY });
  const obs = createObservability({
    source: 'agent',
    defaultRunId: 'run-1',
    dropReports: { intervalMs: 60_000 },
    sinks: [
      createSqliteSink({ path }),
      { sink: createStreamSink({ bus }), queue: { capacity: 256, overflow: 'drop-newest' } },
      { sink: failing, queue: { maxRetries: 0 } },
    ],
  });
  // a synchronous burst: far more than the stream sink's queue holds before its first write
  for (let i = 0; i < 5_000; i++) obs.emit('log', { level: 'info', message: `m${i} ${PAD}` });
  await obs.shutdown();

  const sinks = Object.fromEntries(obs.stats().sinks.map((s) => [s.name, s]));
  expect(sinks['stream']!.dropped).toBeGreaterThan(0);
  // `block` without writeSync refuses past twice its capacity (2 × 2048); the rest fail to write
  expect(sinks['archive']).toMatchObject({ dropped: 5_000 - 4_096, failed: 4_096 });
  expect(sinks['sqlite']).toMatchObject({ dropped: 0, failed: 0 });
  expect(client.events().length).toBeLessThan(5_000 - sinks['stream']!.dropped + 1);

  const store = openSqliteReadStore(path);
  cleanup.push(() => store.close());
  const page = await store.listEvents({ types: ['obs.dropped'], limit: 10 });
  const bySink = Object.fromEntries(page.items.map((e) => [e.envelope.payload['sink'], e.envelope]));
  expect(Object.keys(bySink).sort()).toEqual(['archive', 'stream']);
  expect(bySink['stream']!.payload).toMatchObject({
    counts: { drop_newest: sinks['stream']!.dropped },
    lost: sinks['stream']!.dropped,
    total_lost: sinks['stream']!.dropped,
  });
  expect(bySink['archive']!.payload).toMatchObject({
    counts: { write_failed: 4_096, queue_full: 904 },
    total_lost: 5_000,
  });
  expect(bySink['stream']).toMatchObject({ run_id: 'obs.drops', source: 'agent', parent_event_id: null });
  expect((await store.listEvents({ types: ['log'], limit: 1 })).items).toHaveLength(1);
});
