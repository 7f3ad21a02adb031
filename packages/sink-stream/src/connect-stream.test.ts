import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { Envelope } from '@obs/core';
import { ObsValidationError } from '@obs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connectStream, type StreamClient } from './connect-stream.js';
import type { ObsStreamError } from './errors.js';
import { EventBus } from './event-bus.js';
import type { GapMessage } from './protocol.js';
import { createStreamServer } from './stream-server.js';
import { closeAll, makeEnvelope, sleep, startServer } from './test/helpers.js';

const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await closeAll(...cleanup.splice(0));
});

/** A TCP proxy on loopback whose connections the test can cut, like a network drop. */
async function startProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
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
  const client: StreamClient = connectStream({
    reconnect: { minDelayMs: 10, maxDelayMs: 50 },
    onEvent: (event, { seq }) => events.push({ seq, event }),
    onGap: (gap) => gaps.push(gap),
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanup.push(client);
  return { client, events, gaps, errors };
}

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('connectStream', () => {
  it('receives filtered events in order', async () => {
    const { bus, server, url } = await startServer();
    cleanup.push(server);
    const { client, events } = collect({ url, filter: { types: ['tool.*'] } });
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
    const { client, events, gaps } = collect({ url: `ws://127.0.0.1:${proxy.port}/v1/stream` });
    await client.ready;
    let n = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) bus.publish(makeEnvelope(++n));
      await until(() => events.length > round * 300);
      proxy.cut();
      for (let i = 0; i < 200; i++) bus.publish(makeEnvelope(++n));
      await until(() => client.connected && events.length === n);
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
    const { client, events, gaps } = collect({
      url: `ws://127.0.0.1:${proxy.port}/v1/stream`,
      reconnect: { minDelayMs: 200 },
    });
    await client.ready;
    bus.publish(makeEnvelope(1));
    await until(() => events.length === 1);
    proxy.cut();
    for (let i = 2; i <= 200; i++) bus.publish(makeEnvelope(i));
    await until(() => events.length === 51);
    expect(gaps).toEqual([{ type: 'gap', v: 1, subs: ['main'], from: 2, to: 150, reason: 'evicted' }]);
    expect(events.at(-1)?.seq).toBe(200);
  });

  it('resumes across a server restart on the same port with an explicit reset gap', async () => {
    const first = await startServer();
    const port = Number(new URL(first.url).port);
    const { client, events, gaps } = collect({ url: first.url });
    await client.ready;
    for (let i = 1; i <= 5; i++) first.bus.publish(makeEnvelope(i));
    await until(() => events.length === 5);
    await first.server.close();
    const bus = new EventBus();
    const second = createStreamServer({ bus, port });
    cleanup.push(second);
    await second.listen();
    bus.publish(makeEnvelope(100));
    await until(() => events.length === 6);
    expect(gaps[0]).toMatchObject({ reason: 'reset' });
    expect(events[5]?.event.seq).toBe(100);
    expect(client.epoch).toBe(second.epoch);
  });

  it('stops with an unauthorized error on 401 instead of retrying', async () => {
    const { server, url } = await startServer({ token: 'right-token-0123456789' });
    cleanup.push(server);
    const { client, errors } = collect({ url, token: 'wrong-token-0123456789' });
    await expect(client.ready).rejects.toThrow(/401/);
    await sleep(100);
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
    const { client, errors } = collect({ url: `ws://127.0.0.1:${port}/v1/stream` });
    await expect(client.ready).rejects.toMatchObject({ code: 'forbidden', message: /403/ });
    await sleep(100);
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
    const { client } = collect({ url, reconnect: false });
    await expect(client.ready).rejects.toMatchObject({ code: 'connection' });
    await sleep(50);
    expect(client.reconnects).toBe(0);
  });

  it('rejects ready when closed before the subscription is acknowledged', async () => {
    let accepted = 0;
    const url = await rawTcp(() => {
      accepted++;
    });
    const { client } = collect({ url });
    await until(() => accepted === 1);
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
