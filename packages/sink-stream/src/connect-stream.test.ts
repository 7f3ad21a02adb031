import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { Envelope } from '@obs/core';
import { ObsValidationError } from '@obs/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectStream, type StreamClient } from './connect-stream.js';
import type { ObsStreamError } from './errors.js';
import type { GapMessage } from './protocol.js';
import { closeAll, makeEnvelope, startServer } from './test/helpers.js';

const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await closeAll(...cleanup.splice(0));
});

/**
 * A TCP proxy on loopback whose connections the test can cut, like a network drop, and whose target
 * can change (a server restarted elsewhere, behind the same address, without reusing a freed port).
 */
async function startProxy(targetPort: number) {
  let target = targetPort;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(target, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    retarget: (port: number) => {
      target = port;
    },
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function collect(options: Partial<Parameters<typeof connectStream>[0]> & { url: string }) {
  const events: { seq: number; event: Envelope }[] = [];
  const gaps: GapMessage[] = [];
  const errors: ObsStreamError[] = [];
  const waiters: { condition: () => boolean; resolve: () => void }[] = [];
  const changed = () => {
    for (const w of [...waiters])
      if (w.condition()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  const client: StreamClient = connectStream({
    reconnect: { minDelayMs: 10, maxDelayMs: 50 },
    onEvent: (event, { seq }) => {
      events.push({ seq, event });
      changed();
    },
    onGap: (gap) => {
      gaps.push(gap);
      changed();
    },
    onError: (error) => {
      errors.push(error);
      changed();
    },
    ...options,
  });
  cleanup.push(client);
  /**
   * Resolves once `condition` holds, checked after every event, gap and error the client reports;
   * the timeout only turns a hang into a failure.
   */
  const until = (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        condition,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`condition not met; ${events.length} events, ${gaps.length} gaps so far`));
      }, timeoutMs);
      waiters.push(waiter);
    });
  };
  return { client, events, gaps, errors, until };
}

/**
 * With timers faked, runs every timer the client left pending (a reconnect it should not have
 * scheduled would start now), then restores real timers.
 */
async function runPendingTimers(): Promise<void> {
  try {
    await vi.runAllTimersAsync();
  } finally {
    vi.useRealTimers();
  }
}

describe('connectStream', () => {
  it('receives filtered events in order', async () => {
    const { bus, server, url } = await startServer();
    cleanup.push(server);
    const { client, events, until } = collect({ url, filter: { types: ['tool.*'] } });
    await client.ready;
    bus.publish(makeEnvelope(1, { event_type: 'llm.call' }));
    bus.publish(makeEnvelope(2));
    bus.publish(makeEnvelope(3));
    await until(() => events.length === 2);
    expect(events.map((e) => e.event.seq)).toEqual([2, 3]);
    expect(client.lastSeq).toBe(3);
  });

  it('reconnects after a network drop and resumes without losing or repeating events', async () => {
    const { bus, server } = await startServer();
    cleanup.push(server);
    const proxy = await startProxy(Number(new URL(server.url).port));
    cleanup.push(proxy);
    const { client, events, gaps, until } = collect({ url: `ws://127.0.0.1:${proxy.port}/v1/stream` });
    await client.ready;
    let n = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) bus.publish(makeEnvelope(++n));
      await until(() => events.length > round * 300);
      proxy.cut();
      for (let i = 0; i < 200; i++) bus.publish(makeEnvelope(++n));
      // the events published during the drop come only by resuming on a new connection
      await until(() => events.length === n);
      expect(client.connected).toBe(true);
    }
    expect(client.reconnects).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => e.event.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
  });

  it('reports a gap when it was away longer than the ring buffer holds', async () => {
    const { bus, server } = await startServer({ bufferSize: 50 });
    cleanup.push(server);
    const proxy = await startProxy(Number(new URL(server.url).port));
    cleanup.push(proxy);
    const { client, events, gaps, until } = collect({
      url: `ws://127.0.0.1:${proxy.port}/v1/stream`,
      reconnect: { minDelayMs: 200 },
    });
    await client.ready;
    bus.publish(makeEnvelope(1));
    await until(() => events.length === 1);
    proxy.cut();
    // published in one synchronous loop: the client cannot have reconnected in between
    for (let i = 2; i <= 200; i++) bus.publish(makeEnvelope(i));
    await until(() => events.length === 51);
    expect(gaps).toEqual([{ type: 'gap', v: 1, subs: ['main'], from: 2, to: 150, reason: 'evicted' }]);
    expect(events.at(-1)?.seq).toBe(200);
  });

  it('resumes across a server restart behind the same address with an explicit reset gap', async () => {
    const first = await startServer();
    // the client's address stays; the new server listens on a port of its own, never a freed one
    const proxy = await startProxy(Number(new URL(first.url).port));
    cleanup.push(proxy);
    const { client, events, gaps, until } = collect({ url: `ws://127.0.0.1:${proxy.port}/v1/stream` });
    await client.ready;
    for (let i = 1; i <= 5; i++) first.bus.publish(makeEnvelope(i));
    await until(() => events.length === 5);
    await first.server.close();
    const second = await startServer();
    cleanup.push(second.server);
    proxy.retarget(Number(new URL(second.url).port));
    second.bus.publish(makeEnvelope(100));
    await until(() => events.length === 6);
    expect(gaps[0]).toMatchObject({ reason: 'reset' });
    expect(events[5]?.event.seq).toBe(100);
    expect(client.epoch).toBe(second.server.epoch);
  });

  it('stops with an unauthorized error on 401 instead of retrying', async () => {
    const { server, url } = await startServer({ token: 'right-token-0123456789' });
    cleanup.push(server);
    // fake timers: a reconnect, had one been scheduled, runs at once below instead of being waited for
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client, errors } = collect({ url, token: 'wrong-token-0123456789' });
    await expect(client.ready).rejects.toThrow(/401/);
    await runPendingTimers();
    expect(errors.some((e) => e.code === 'unauthorized')).toBe(true);
    expect(client.reconnects).toBe(0);
    expect(server.stats().refused).toBe(1);
  });

  it('stops with a forbidden error on 403 instead of retrying', async () => {
    const http = createHttpServer((_req, res) => res.end());
    http.on('upgrade', (_req, socket: Socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push({ close: () => new Promise<void>((r) => http.close(() => r())) });
    const { port } = http.address() as AddressInfo;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client, errors } = collect({ url: `ws://127.0.0.1:${port}/v1/stream` });
    await expect(client.ready).rejects.toMatchObject({ code: 'forbidden', message: /403/ });
    await runPendingTimers();
    expect(errors.some((e) => e.code === 'forbidden')).toBe(true);
    expect(client.reconnects).toBe(0);
  });

  it('connects with a valid token', async () => {
    const { server, url } = await startServer({ token: 'right-token-0123456789' });
    cleanup.push(server);
    const { client } = collect({ url, token: 'right-token-0123456789' });
    await client.ready;
  });

  it('validates the filter before connecting', () => {
    expect(() =>
      connectStream({ url: 'ws://127.0.0.1:1', filter: { types: ['BAD'] }, onEvent() {} }),
    ).toThrow(ObsValidationError);
  });
});

describe('connectStream ready when the client stops for good', () => {
  /** A TCP server on loopback that does `onSocket` with each connection and never speaks HTTP. */
  async function rawTcp(onSocket: (socket: Socket) => void) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      onSocket(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push({
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    });
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stream`;
  }

  it('rejects ready when nothing listens and reconnect is false', async () => {
    const url = await rawTcp(() => {});
    const port = Number(new URL(url).port);
    await closeAll(...cleanup.splice(0));
    const { client } = collect({ url: `ws://127.0.0.1:${port}/v1/stream`, reconnect: false });
    await expect(client.ready).rejects.toMatchObject({
      code: 'connection',
      message: /reconnect: false/,
    });
    expect(client.reconnects).toBe(0);
  });

  it('rejects ready when the server hangs up before subscribing and reconnect is false', async () => {
    const url = await rawTcp((socket) => socket.destroy());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client } = collect({ url, reconnect: false });
    await expect(client.ready).rejects.toMatchObject({ code: 'connection' });
    await runPendingTimers();
    expect(client.reconnects).toBe(0);
  });

  it('rejects ready when closed before the subscription is acknowledged', async () => {
    let connected!: () => void;
    const accepted = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const url = await rawTcp(() => connected());
    const { client } = collect({ url });
    await accepted;
    await client.close();
    await expect(client.ready).rejects.toMatchObject({ code: 'closed' });
  });

  it('keeps ready resolved when closed after subscribing', async () => {
    const { server, url } = await startServer();
    cleanup.push(server);
    const { client } = collect({ url, reconnect: false });
    await client.ready;
    await client.close();
    await expect(client.ready).resolves.toBeUndefined();
  });
});
