import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReadStoreContract } from '../test/contract.js';
import { buildFixture, type Fixture } from '../test/fixture.js';
import { openSqliteReadStore } from './sqlite-read-store.js';

describeReadStoreContract('sqlite', async (fx) => openSqliteReadStore(fx.sqlitePath));

describe('SQLite trace tree', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await buildFixture({ bulk: 20 });
  }, 60_000);
  afterAll(() => fx?.cleanup());

  it('names nodes from the operation column and reads envelopes only while the store is open', async () => {
    const store = openSqliteReadStore(fx.sqlitePath);
    const read = await store.getTraceTree('run-1');
    expect(read.roots[1]!.event.payload['operation']).toBe('plan');
    const unread = await store.getTraceTree('run-1');
    expect(unread.roots.map((n) => n.name)).toEqual(['run.started', 'plan', 'act', 'run.finished']);
    await store.close();
    expect(() => unread.roots[1]!.event).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
    // what was read stays readable
    expect(read.roots[1]!.event.event_type).toBe('span');
  });
});
