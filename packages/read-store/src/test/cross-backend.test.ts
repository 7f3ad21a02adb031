import { freshSchema } from '@obs/sink-postgres/testing';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { openJsonlReadStore } from '../jsonl/jsonl-read-store.js';
import { openPostgresReadStore } from '../postgres/postgres-read-store.js';
import type { ReadStore } from '../read-store.js';
import { openSqliteReadStore } from '../sqlite/sqlite-read-store.js';
import { buildFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let sqlite: ReadStore;
let jsonl: ReadStore;
let postgres: ReadStore;
beforeAll(async () => {
  const url = inject('pgUrl');
  const schema = freshSchema('cross');
  fx = await buildFixture({ bulk: 300, postgres: { url, schema } });
  sqlite = openSqliteReadStore(fx.sqlitePath);
  jsonl = await openJsonlReadStore(fx.jsonlDir);
  postgres = await openPostgresReadStore(url, { schema });
}, 60_000);
afterAll(async () => {
  await sqlite.close();
  await jsonl.close();
  await postgres.close();
  fx.cleanup();
});

const noCursor = <T extends { next_cursor: string | null }>(page: T) => ({
  ...page,
  next_cursor: page.next_cursor !== null,
});

it('every backend answers every read identically on the same events', async () => {
  const calls: [string, (s: ReadStore) => Promise<unknown>][] = [
    ['listRuns', async (s) => noCursor(await s.listRuns({ limit: 3 }))],
    ['getRun', (s) => s.getRun('run-2')],
    ['listSessions', async (s) => noCursor(await s.listSessions())],
    ['getSession', (s) => s.getSession('sess-1')],
    ['listEvents', async (s) => noCursor(await s.listEvents({ limit: 1000 }))],
    [
      'listEvents desc',
      async (s) => noCursor(await s.listEvents({ order: 'desc', types: ['span', 'log'], limit: 50 })),
    ],
    ['getTraceTree run-1', (s) => s.getTraceTree('run-1')],
    ['getTraceTree run-cycle', (s) => s.getTraceTree('run-cycle')],
    ['stats', (s) => s.stats()],
    ['stats by operation', (s) => s.stats({ groupBy: 'operation', slowest: 100 })],
    ['stats by component', (s) => s.stats({ groupBy: 'component', run_id: 'run-1' })],
    ['stats by source', (s) => s.stats({ groupBy: 'source', from: '2026-01-05T09:00:01.000Z' })],
  ];
  for (const [name, call] of calls) {
    const expected = await call(sqlite);
    expect(await call(jsonl), `${name} (jsonl)`).toEqual(expected);
    expect(await call(postgres), `${name} (postgres)`).toEqual(expected);
  }
});
