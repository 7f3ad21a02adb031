import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { makeEnvelope } from '@obs/core/testing';
import type { ReadStore } from '@obs/read-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { AdminServer } from './admin-server.js';
import type { LiveMessage } from './api-types.js';
import { LIVE_MAX_PENDING_EVENTS, LiveFeed } from './live-socket.js';
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

/**
 * Resolves once `check` passes, tested now and on every `message` of `ws`; past `timeoutMs` (a guard
 * against a hang, never what a passing test waits for) it resolves anyway and the caller's
 * expectations report what arrived.
 */
function onMessagesUntil(ws: WebSocket, check: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve();
    };
    // registered after the collector's own listener, so it sees each message already recorded
    const onMessage = () => {
      if (check()) done();
    };
    const timer = setTimeout(done, timeoutMs);
    ws.on('message', onMessage);
    if (check()) done();
  });
}

/** Opens a live socket and collects what it receives. */
async function subscribe(admin: AdminServer, query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${admin.port}/api/live${query}`);
  const received: { message: LiveMessage }[] = [];
  ws.on('message', (data) => received.push({ message: JSON.parse(String(data)) as LiveMessage }));
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    void onMessagesUntil(ws, () => received.some((r) => r.message.kind === 'ready'), 30_000).then(resolve);
  });
  const events = () => received.flatMap((r) => (r.message.kind === 'events' ? r.message.items : []));
  const waitFor = async (n: number, timeoutMs = 15_000) => {
    await onMessagesUntil(ws, () => events().length >= n, timeoutMs);
    return events();
  };
  return { ws, events, waitFor, received };
}

describe.each(['sqlite', 'jsonl'] as const)('/api/live over a %s store', (kind) => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdmin(fx[kind]);
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('pushes events another process writes, filtered by run', async () => {
    const all = await subscribe(admin);
    const mine = await subscribe(admin, '?run_id=live-a');
    try {
      const target = kind === 'sqlite' ? fx.dbPath : fx.jsonlDir;
      await writeFromChild(kind, target, 'live-a', 'hello from a child', 3);
      await writeFromChild(kind, target, 'live-b', 'other run', 2);
      const got = await all.waitFor(5);
      expect(got.map((e) => e.event.run_id)).toEqual(['live-a', 'live-a', 'live-a', 'live-b', 'live-b']);
      expect(got[0]!.event.payload['message']).toBe('hello from a child 0');
      expect(typeof got[0]!.cursor).toBe('string');
      // a live-a event written after the live-b ones: the tail delivers in order, so by the time it
      // reaches the filtered socket, any live-b event that slipped through would have reached it first
      await writeFromChild(kind, target, 'live-a', 'after the other run', 1);
      const filtered = await mine.waitFor(4);
      expect(filtered.map((e) => e.event.run_id)).toEqual(['live-a', 'live-a', 'live-a', 'live-a']);
      expect(filtered.at(-1)!.event.payload['message']).toBe('after the other run 0');
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

describe('a large backlog', () => {
  /** A LiveFeed over `store` on a real loopback socket; returns what the client received. */
  async function feed(store: ReadStore, onMessage: (messages: LiveMessage[]) => void = () => {}) {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const feeds: LiveFeed[] = [];
    const errors: Error[] = [];
    server.on('connection', (socket) => feeds.push(new LiveFeed(store, socket, {}, (e) => errors.push(e))));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const messages: LiveMessage[] = [];
    client.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as LiveMessage);
      onMessage(messages);
    });
    const counts = () => {
      let events = 0;
      let dropped = 0;
      for (const m of messages) {
        if (m.kind === 'events') events += m.items.length;
        if (m.kind === 'dropped') dropped += m.count;
      }
      return { events, dropped };
    };
    const waitForTotal = async (n: number) => {
      await onMessagesUntil(
        client,
        () => {
          const c = counts();
          return c.events + c.dropped >= n;
        },
        15_000,
      );
      return counts();
    };
    const close = async () => {
      for (const f of feeds) f.stop();
      client.close();
      await new Promise((resolve) => server.close(resolve));
    };
    return { messages, errors, waitForTotal, close };
  }

  it('caps the events waiting for a frame and tells the client how many were dropped', async () => {
    const burst = 5 * LIVE_MAX_PENDING_EVENTS;
    let toldDropped!: () => void;
    const firstFrames = new Promise<void>((resolve) => {
      toldDropped = resolve;
    });
    // a tail that yields its whole backlog without letting the event loop turn, then one more event
    // once the client has the frames of the backlog (the capped events and the dropped count)
    const store = {
      tail: ({ signal }: { signal?: AbortSignal }) => ({
        async *[Symbol.asyncIterator]() {
          for (let i = 1; i <= burst; i++) yield { envelope: makeEnvelope(i), cursor: `c${i}` };
          await firstFrames;
          yield { envelope: makeEnvelope(burst + 1), cursor: `c${burst + 1}` };
          if (signal && !signal.aborted) await new Promise((r) => signal.addEventListener('abort', r));
        },
      }),
    } as unknown as ReadStore;
    const live = await feed(store, (messages) => {
      if (messages.some((m) => m.kind === 'dropped')) toldDropped();
    });
    try {
      expect(await live.waitForTotal(burst + 1)).toEqual({
        events: LIVE_MAX_PENDING_EVENTS + 1,
        dropped: burst - LIVE_MAX_PENDING_EVENTS,
      });
      const kinds = live.messages.map((m) => m.kind);
      expect(kinds).toEqual(['ready', 'events', 'dropped', 'events']);
      const frames = live.messages.flatMap((m) =>
        m.kind === 'events' ? [m.items.map((i) => i.event.seq)] : [],
      );
      expect(frames[0]).toEqual(Array.from({ length: LIVE_MAX_PENDING_EVENTS }, (_, i) => i + 1));
      expect(frames[1]).toEqual([burst + 1]);
      expect(live.errors).toEqual([]);
    } finally {
      await live.close();
    }
  });

  it.each(['sqlite', 'jsonl'] as const)(
    'a %s store catching up from an old ?since= sends every event and drops none',
    { timeout: 60_000 },
    async (kind) => {
      const big = await createStoreFixture({ bigRunEvents: 4 * LIVE_MAX_PENDING_EVENTS });
      const admin = await startAdmin(big[kind]);
      try {
        const total = (await big[kind].stats()).total;
        expect(total).toBeGreaterThan(4 * LIVE_MAX_PENDING_EVENTS);
        const first = await big[kind].listEvents({ order: 'asc', limit: 1 });
        const client = await subscribe(admin, `?since=${encodeURIComponent(first.next_cursor!)}`);
        try {
          const got = await client.waitFor(total - 1, 20_000);
          expect(got).toHaveLength(total - 1);
          expect(new Set(got.map((e) => e.event.event_id)).size).toBe(total - 1);
          expect(client.received.filter((r) => r.message.kind === 'dropped')).toEqual([]);
        } finally {
          client.ws.close();
        }
      } finally {
        await admin.close();
        await big.cleanup();
      }
    },
  );
});
