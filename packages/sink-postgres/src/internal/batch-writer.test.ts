import { EventRecord } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { LatencySketch, migratePostgresSchema } from '@obs/store-format';
import type pg from 'pg';
import { expect, inject, it } from 'vitest';
import { perTestSchemas } from '../test/schema-client.js';
import { freshSchema } from '../testing/fresh-schema.js';
import { BatchWriter } from './batch-writer.js';
import { prepareBatch } from './prepared-batch.js';
import { storeRollups } from './rollup-upsert.js';

const url = inject('pgUrl');
const { schemas, connect } = perTestSchemas(url);

/** Waits (bounded) until the backend `pid` waits for a lock. */
async function waitForLock(observer: pg.Client, pid: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await observer.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [
      pid,
    ]);
    if (rows[0]?.wait_event_type === 'Lock') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`backend ${pid} never waited for a lock`);
}

it('merges a rollup row another writer inserted after the lock, instead of losing either delta', async () => {
  const schema = freshSchema('race');
  schemas.push(schema);
  const [a, b, observer] = [await connect(schema), await connect(schema), await connect(schema)];
  await migratePostgresSchema(a, schema);
  const mine = prepareBatch([new EventRecord(makeEnvelope(1, { duration_ms: 10 }))], new Set());
  const theirs = prepareBatch([new EventRecord(makeEnvelope(2, { duration_ms: 1_000 }))], new Set());
  const writer = new BatchWriter(schema, 1);
  await writer.prepare(a, Date.parse(makeEnvelope(1).timestamp));
  // the other writer's rows exist but are not committed when this writer locks and inserts
  await b.query('BEGIN');
  await storeRollups(b, theirs.rollups, []);
  const pidA = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const writing = writer.write(a, mine);
  await waitForLock(observer, pidA);
  await b.query('COMMIT');
  expect(await writing).toEqual({ inserted: 1 });
  const { rows } = await observer.query<{ bucket_ms: number; event_count: number; latency: Buffer }>(
    'SELECT bucket_ms, event_count, latency FROM stats_rollups ORDER BY bucket_ms',
  );
  expect(rows.map((r) => [r.bucket_ms, r.event_count])).toEqual([
    [60_000, 2],
    [3_600_000, 2],
    [86_400_000, 2],
  ]);
  for (const r of rows) expect(LatencySketch.decode(r.latency).count).toBe(2);
});

it('rolls back a batch holding a stored id and names the stored ids; the rest then commits', async () => {
  const schema = freshSchema('stored');
  schemas.push(schema);
  const client = await connect(schema);
  await migratePostgresSchema(client, schema);
  const writer = new BatchWriter(schema, 1);
  const [first, second] = [makeEnvelope(1), makeEnvelope(2)];
  expect(await writer.write(client, prepareBatch([new EventRecord(first)], new Set()))).toEqual({
    inserted: 1,
  });
  const both = [new EventRecord(first), new EventRecord(second)];
  expect(await writer.write(client, prepareBatch(both, new Set()))).toEqual({ stored: [first.event_id] });
  expect(await writer.write(client, prepareBatch(both, new Set([first.event_id])))).toEqual({ inserted: 1 });
  const { rows } = await client.query('SELECT event_count FROM runs');
  expect(rows).toEqual([{ event_count: 2 }]);
});
