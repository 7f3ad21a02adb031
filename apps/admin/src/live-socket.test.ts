import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AdminServer } from './admin-server.js';
import type { LiveMessage } from './api-types.js';
import { startAdmin } from './test/admin-fixture.js';
import { writeFromChild } from './test/child-writer.js';
import { createStoreFixture, type StoreFixture } from './test/store-fixture.js';

let fx: StoreFixture;
beforeAll(async () => {
  fx = await createStoreFixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

/** Opens a live socket and collects what it receives. */
async function subscribe(admin: AdminServer, query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${admin.port}/api/live${query}`);
  const received: { at: number; message: LiveMessage }[] = [];
  ws.on('message', (data) =>
    received.push({ at: Date.now(), message: JSON.parse(String(data)) as LiveMessage }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    const check = () => (received.some((r) => r.message.kind === 'ready') ? resolve() : setTimeout(check, 5));
    check();
  });
  const events = () =>
    received.flatMap((r) =>
      r.message.kind === 'events' ? r.message.items.map((i) => ({ at: r.at, ...i })) : [],
    );
  const waitFor = async (n: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (events().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return events();
  };
  return { ws, events, waitFor };
}

describe.each(['sqlite', 'jsonl'] as const)('/api/live over a %s store', (kind) => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdmin(fx[kind]);
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('pushes events another process writes, within a second, filtered by run', async () => {
    const all = await subscribe(admin);
    const mine = await subscribe(admin, '?run_id=live-a');
    try {
      const target = kind === 'sqlite' ? fx.dbPath : fx.jsonlDir;
      const flushedAt = await writeFromChild(kind, target, 'live-a', 'hello from a child', 3);
      await writeFromChild(kind, target, 'live-b', 'other run', 2);
      const got = await all.waitFor(5);
      expect(got.map((e) => e.event.run_id)).toEqual(['live-a', 'live-a', 'live-a', 'live-b', 'live-b']);
      expect(got[2]!.at - flushedAt).toBeLessThan(1000);
      expect(got[0]!.event.payload['message']).toBe('hello from a child 0');
      expect(typeof got[0]!.cursor).toBe('string');
      const filtered = await mine.waitFor(3);
      await new Promise((r) => setTimeout(r, 150));
      expect(mine.events().map((e) => e.event.run_id)).toEqual(['live-a', 'live-a', 'live-a']);
      expect(filtered).toHaveLength(3);
    } finally {
      all.ws.close();
      mine.ws.close();
    }
  });

  it('resumes after a cursor with ?since= so a reconnect misses nothing', async () => {
    const first = await subscribe(admin, '?run_id=live-c');
    const target = kind === 'sqlite' ? fx.dbPath : fx.jsonlDir;
    await writeFromChild(kind, target, 'live-c', 'before', 2);
    const seen = await first.waitFor(2);
    first.ws.close();
    await writeFromChild(kind, target, 'live-c', 'while away', 2);
    const again = await subscribe(admin, `?run_id=live-c&since=${encodeURIComponent(seen[0]!.cursor)}`);
    try {
      const got = await again.waitFor(3);
      expect(got.map((e) => e.event.payload['message'])).toEqual([
        'before 1',
        'while away 0',
        'while away 1',
      ]);
    } finally {
      again.ws.close();
    }
  });

  it('stops its tails when the server closes', async () => {
    const extra = await startAdmin(fx[kind]);
    const client = await subscribe(extra);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    await extra.close();
    expect(await closed).toBe(1001);
  });
});
