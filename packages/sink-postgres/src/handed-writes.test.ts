import { EventRecord } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import type pg from 'pg';
import { expect, inject, it } from 'vitest';
import { built } from './test/built.js';
import { perTestSchemas, withSchema } from './test/schema-client.js';
import { freshSchema } from './testing/fresh-schema.js';

const { createPostgresSink } = await built<typeof import('./index.js')>('index.js');
const url = inject('pgUrl');
const { schemas, connect } = perTestSchemas(url);

const batch = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => new EventRecord(makeEnvelope(from + i, { run_id: 'r' })));

/** Waits (bounded) for the sink's backend, named `app`, to wait for a lock; returns its pid. */
async function lockedBackend(observer: pg.Client, app: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await observer.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
      [app],
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no backend of ${app} waited for a lock`);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

const count = (s: string) =>
  withSchema(url, s, async (c) => (await c.query('SELECT count(*)::int AS n FROM events')).rows[0].n);

it('writeSync returns once the writer thread has the batch; flush waits for its commit', async () => {
  const s = freshSchema('handed');
  schemas.push(s);
  const sink = createPostgresSink({ url, schema: s, applicationName: 'obs-handed-1' });
  await sink.ready();
  const [locker, observer] = [await connect(s), await connect(s)];
  await locker.query('BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
  // the table is locked by this process's other connection: a writeSync waiting for the commit would never return
  sink.writeSync!(batch(1, 50));
  await lockedBackend(observer, 'obs-handed-1');
  let flushed = false;
  const flushing = Promise.resolve(sink.flush()).then(() => {
    flushed = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(flushed).toBe(false);
  await locker.query('COMMIT');
  await flushing;
  expect(await count(s)).toBe(50);
  await sink.close();
});

it('a handed batch that fails after writeSync returned is held, reported, and written by the next flush', async () => {
  const s = freshSchema('held');
  schemas.push(s);
  const sink = createPostgresSink({ url, schema: s, applicationName: 'obs-handed-2' });
  await sink.ready();
  const [locker, observer] = [await connect(s), await connect(s)];
  await locker.query('BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
  sink.writeSync!(batch(1, 40));
  await observer.query('SELECT pg_terminate_backend($1)', [await lockedBackend(observer, 'obs-handed-2')]);
  await until(() => !sink.health!().ok);
  expect(sink.health!().detail).toMatch(/40 events held to be written again: .*could not write a batch/);
  await locker.query('COMMIT');
  await sink.flush();
  expect(sink.health!().ok).toBe(true);
  expect(await count(s)).toBe(40);
  await sink.close();
});

it('a writeSync finding a held batch writes it first and throws, leaving its own batch to the caller', async () => {
  const s = freshSchema('heldsync');
  schemas.push(s);
  const sink = createPostgresSink({
    url,
    schema: s,
    applicationName: 'obs-handed-3',
    syncWriteTimeoutMs: 300,
  });
  await sink.ready();
  const [locker, observer] = [await connect(s), await connect(s)];
  await locker.query('BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
  sink.writeSync!(batch(1, 30));
  await observer.query('SELECT pg_terminate_backend($1)', [await lockedBackend(observer, 'obs-handed-3')]);
  await until(() => !sink.health!().ok);
  // the held batch is sent again and waits for the lock this process holds: the call gives up and throws
  expect(() => sink.writeSync!(batch(100, 20))).toThrow(/no commit from PostgreSQL within 300 ms/);
  await locker.query('COMMIT');
  await sink.flush();
  expect(await count(s)).toBe(30);
  sink.writeSync!(batch(100, 20));
  await sink.flush();
  expect(await count(s)).toBe(50);
  await sink.close();
});
