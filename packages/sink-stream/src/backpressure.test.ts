import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SLOW_CLIENT_CLOSE_CODE } from './client-connection.js';
import { closeAll, makeEnvelope, RawClient, sleep, startServer } from './test/helpers.js';

const cleanup: { close(): Promise<unknown> }[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await closeAll(...cleanup.splice(0));
});

const PAD = 'x'.repeat(1_000);
const CAP = 256 * 1024;

/** A raw TCP client that performs the WebSocket handshake, subscribes, and then never reads again. */
async function neverReadingClient(url: string): Promise<Socket> {
  const { hostname, port, pathname } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  // the server's frames are unmasked text: wait for the handshake, then for the subscription's answer
  let received = '';
  const arrived: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (const wake of arrived.splice(0)) wake();
  });
  const seen = async (text: string) => {
    while (!received.includes(text)) await new Promise<void>((resolve) => arrived.push(resolve));
  };
  await seen('101 Switching Protocols');
  socket.write(maskedTextFrame(JSON.stringify({ type: 'subscribe', v: 1, id: 'slow' })));
  // subscribed before it stops reading: every event published from here on is queued for it
  await seen('"type":"subscribed"');
  socket.pause();
  return socket;
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * Publishes `total` ~1 KB events in slices of 50, yielding (by default a 1 ms timer) so sockets can
 * write; returns the peak server pending bytes.
 */
async function publishMany(
  bus: { publish(e: ReturnType<typeof makeEnvelope>): void },
  server: { stats(): { pendingBytes: number } },
  total: number,
  yieldTurn: () => Promise<unknown> = () => sleep(1),
) {
  let peak = 0;
  for (let i = 1; i <= total; i++) {
    bus.publish(makeEnvelope(i, { payload: { n: i, pad: PAD } }));
    if (i % 50 === 0) {
      await yieldTurn();
      peak = Math.max(peak, server.stats().pendingBytes);
    }
  }
  return peak;
}

describe('slow clients', () => {
  it('closes a client that never reads once its pending bytes pass the cap; memory stays bounded', async () => {
    const { bus, server, url } = await startServer({
      maxPendingBytes: CAP,
      maxFrameBytes: 64 * 1024,
      closeStallMs: 300,
    });
    cleanup.push(server);
    await neverReadingClient(url);
    const fast = await RawClient.open(url);
    cleanup.push(fast);
    fast.send({ type: 'subscribe', v: 1, id: 'fast' });
    await fast.next((m) => m.type === 'subscribed');
    expect(server.stats().clients).toBe(2);
    const peak = await publishMany(bus, server, 20_000);
    expect(peak).toBeLessThanOrEqual(2 * CAP);
    expect(server.stats().slowClosed).toBe(1);
    await fast.waitForEvents(20_000, 20_000);
    expect(fast.events().at(-1)?.seq).toBe(20_000);
    // the server forgets the closed client on its socket's close event, which no API exposes: poll it
    const deadline = Date.now() + 10_000;
    while (server.stats().clients > 1 && Date.now() < deadline) await sleep(10);
    expect(server.stats().clients).toBe(1);
  });

  it('tells a paused ws client it was dropped for being slow, with close code 1013 and a reason', async () => {
    const { bus, server, url } = await startServer({ maxPendingBytes: CAP, maxFrameBytes: 32 * 1024 });
    cleanup.push(server);
    const slow = await RawClient.open(url);
    cleanup.push(slow);
    slow.send({ type: 'subscribe', v: 1, id: 'a' });
    await slow.next((m) => m.type === 'subscribed');
    const raw = (slow.ws as unknown as { _socket: Socket })._socket;
    // the server terminates a dropped client that has not read its close frame 1 s later; here the
    // client reads it only after its backlog of megabytes, so that timer is faked (it never fires):
    // whether the close frame or the terminate comes first is then not a race against the machine
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      raw.pause();
      await publishMany(bus, server, 10_000, () => new Promise((resolve) => setImmediate(resolve)));
      expect(server.stats().slowClosed).toBe(1);
      raw.resume();
      expect(await slow.closed).toBe(SLOW_CLIENT_CLOSE_CODE);
      expect(slow.closeReason).toMatch(/slow consumer/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a client that falls behind and reads later still gets 1013, not an abnormal close (regression)', async () => {
    const { bus, server, url } = await startServer({ maxPendingBytes: CAP, maxFrameBytes: 32 * 1024 });
    cleanup.push(server);
    const slow = await RawClient.open(url);
    cleanup.push(slow);
    slow.send({ type: 'subscribe', v: 1, id: 'a' });
    await slow.next((m) => m.type === 'subscribed');
    const raw = (slow.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    await publishMany(bus, server, 10_000);
    expect(server.stats().slowClosed).toBe(1);
    await sleep(1_500); // longer than the server used to wait before cutting the socket
    raw.resume();
    expect(await slow.closed).toBe(SLOW_CLIENT_CLOSE_CODE);
    expect(slow.closeReason).toMatch(/slow consumer/);
  });

  it('in skip mode keeps a slow client, bounded, and reports the skipped range with a gap', async () => {
    const { bus, server, url } = await startServer({
      maxPendingBytes: CAP,
      maxFrameBytes: 32 * 1024,
      slowClient: 'skip',
    });
    cleanup.push(server);
    const slow = await RawClient.open(url);
    cleanup.push(slow);
    slow.send({ type: 'subscribe', v: 1, id: 'a' });
    await slow.next((m) => m.type === 'subscribed');
    const raw = (slow.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    const peak = await publishMany(bus, server, 20_000);
    expect(peak).toBeLessThanOrEqual(2 * CAP);
    expect(server.stats().slowClosed).toBe(0);
    raw.resume();
    const gap = await slow.next((m) => m.type === 'gap', 20_000);
    expect(gap).toMatchObject({ reason: 'slow_client', subs: ['a'] });
    bus.publish(makeEnvelope(20_001));
    await slow.next((m) => m.type === 'event' && m['seq'] === 20_001, 20_000);
    const seqs = slow.events().map((e) => e.seq);
    expect(seqs.length).toBeLessThan(20_001);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    const gaps = slow.messages.filter((m) => m.type === 'gap') as unknown as { from: number; to: number }[];
    const covered = new Set(seqs);
    for (const g of gaps) for (let s = g.from; s <= g.to; s++) covered.add(s);
    expect(covered.size).toBe(20_001);
  });

  it('bounds memory with many clients that never read', async () => {
    const { bus, server, url } = await startServer({
      maxPendingBytes: CAP,
      maxFrameBytes: 32 * 1024,
      slowClient: 'skip',
    });
    cleanup.push(server);
    for (let i = 0; i < 8; i++) await neverReadingClient(url);
    expect(server.stats().clients).toBe(8);
    const before = process.memoryUsage();
    const peak = await publishMany(bus, server, 20_000);
    expect(peak).toBeLessThanOrEqual(8 * 2 * CAP);
    const after = process.memoryUsage();
    expect(after.rss - before.rss).toBeLessThan(150 * 1024 * 1024);
    expect(server.stats().clients).toBe(8);
  });
});
