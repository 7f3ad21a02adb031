import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { ReadStore } from '../read-store.js';
import { buildFixture, type Fixture } from '../test/fixture.js';
import { openSqliteReadStore } from './sqlite-read-store.js';

let fx: Fixture;
let store: ReadStore;
const prepared = new Set<string>();
beforeAll(async () => {
  fx = await buildFixture({ bulk: 300 });
  const prepare = Database.prototype.prepare;
  vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, sql: string) {
    prepared.add(sql);
    return prepare.call(this, sql);
  } as typeof prepare);
  store = openSqliteReadStore(fx.sqlitePath);
}, 60_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await store.close();
  fx.cleanup();
});

const iso = (ms: number) => new Date(ms).toISOString();

it('every read path uses an index: no statement scans event_rows or the rollups in full', async () => {
  const first = Date.parse(fx.events[0]!.timestamp);
  const some = fx.events[5]!;
  const reads: (() => Promise<unknown>)[] = [
    () => store.listRuns({ limit: 5 }),
    () => store.listRuns({ status: 'success', source: 'agent-a' }),
    () => store.getRun('run-2'),
    () => store.listSessions(),
    () => store.getSession('sess-1'),
    () => store.getEvent(some.event_id),
    () => store.listEvents({ limit: 10 }),
    () => store.listEvents({ order: 'desc', limit: 10 }),
    () => store.listEvents({ run_id: 'run-1' }),
    () => store.listEvents({ session_id: 'sess-1' }),
    () => store.listEvents({ types: ['span'] }),
    () => store.listEvents({ types: ['span', 'log'] }),
    () => store.listEvents({ source: 'agent-b' }),
    () => store.listEvents({ source: 'agent-b', status: 'error' }),
    () => store.listEvents({ status: 'error' }),
    () => store.listEvents({ parent_event_id: some.event_id }),
    () => store.listEvents({ from: iso(first + 1000), to: iso(first + 5000) }),
    async () => (await store.getTraceTree('run-1')).roots[0]!.event,
    () => store.stats(),
    () => store.stats({ groupBy: 'operation', slowest: 100 }),
    () => store.stats({ source: 'agent-a', from: iso(first + 1234), to: iso(first + 3_600_000) }),
    () => store.stats({ run_id: 'run-1' }),
    () => store.stats({ session_id: 'sess-1', groupBy: 'model' }),
  ];
  for (const read of reads) await read();
  vi.restoreAllMocks();
  const db = new Database(fx.sqlitePath, { readonly: true });
  const scans: string[] = [];
  for (const sql of prepared) {
    if (!/\b(event_rows|stats_rollups)\b/.test(sql)) continue;
    const plan = explain(db, sql);
    for (const { detail } of plan) {
      // a full pass over a big table: `SCAN event_rows` / `SCAN stats_rollups` without an index
      if (/^SCAN (event_rows|stats_rollups)\b(?! USING)/.test(detail)) scans.push(`${detail}  <-  ${sql}`);
    }
  }
  // the detector sees a full pass when there is one
  expect(explain(db, 'SELECT json FROM event_rows WHERE json LIKE ?').map((p) => p.detail)).toEqual([
    expect.stringMatching(/^SCAN event_rows$/),
  ]);
  // a trace tree is built from the index alone, already in order
  const tree = [...prepared].find((sql) => sql.includes('operation FROM event_rows'));
  expect(explain(db, tree!).map((p) => p.detail)).toEqual([
    expect.stringMatching(/^SEARCH event_rows USING COVERING INDEX events_run \(run_key=\?\)$/),
  ]);
  db.close();
  expect(prepared.size).toBeGreaterThan(15);
  expect(scans).toEqual([]);
});

/** The query plan of `sql`, its parameters bound to NULL (positional ones counted by trying). */
function explain(db: Database.Database, sql: string): { detail: string }[] {
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  for (let n = 0; n <= 256; n++) {
    try {
      return statement.all(...Array.from({ length: n }, () => null)) as { detail: string }[];
    } catch (error) {
      if (!/Too few parameter/.test((error as Error).message)) throw error;
    }
  }
  throw new Error(`cannot bind the parameters of ${sql}`);
}
