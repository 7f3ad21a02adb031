import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObsConfigError } from '@obs/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from './event-bus.js';
import { ServerMessageSchema } from './protocol.js';
import { createStreamServer, type StreamServer } from './stream-server.js';
import { closeAll, makeEnvelope, RawClient, sleep, startServer } from './test/helpers.js';

const TOKEN = 'test-token-0123456789abcdef';
const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await closeAll(...cleanup.splice(0));
});

async function setup(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer(options);
  cleanup.push(started.server);
  const open = async (suffix = '', clientOptions = {}) => {
    const client = await RawClient.open(started.url + suffix, clientOptions);
    cleanup.push(client);
    await client.next((m) => m.type === 'hello');
    return client;
  };
  return { ...started, open };
}

describe('stream server protocol (raw ws client)', () => {
  it('greets, subscribes and streams live events whose frames match the documented schema', async () => {
    const { bus, server, open } = await setup();
    const client = await open();
    const hello = client.messages[0]!;
    expect(hello).toMatchObject({ type: 'hello', v: 1, epoch: server.epoch, seq: 0, heartbeat_ms: 15_000 });
    client.send({ type: 'subscribe', v: 1, id: 'all' });
    await client.next((m) => m.type === 'subscribed');
    const envelope = makeEnvelope(1);
    bus.publish(envelope);
    await client.waitForEvents(1);
    expect(client.events()[0]).toEqual({ seq: 1, subs: ['all'], event: envelope });
    for (const m of client.messages)
      expect(ServerMessageSchema.safeParse(m).success, JSON.stringify(m)).toBe(true);
  });

  it('batches events published together into one events frame, in order', async () => {
    const { bus, open } = await setup();
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'a' });
    await client.next((m) => m.type === 'subscribed');
    for (let i = 1; i <= 50; i++) bus.publish(makeEnvelope(i));
    await client.waitForEvents(50);
    expect(client.events().map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(client.messages.filter((m) => m.type === 'events')).toHaveLength(1);
  });

  it('counts in stats().frames the frames of clients that have gone (regression)', async () => {
    const { bus, server, open } = await setup();
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'a' });
    await client.next((m) => m.type === 'subscribed');
    bus.publish(makeEnvelope(1));
    await client.waitForEvents(1);
    const before = server.stats().frames;
    expect(before).toBeGreaterThanOrEqual(3);
    await client.close();
    while (server.stats().clients > 0) await sleep(5);
    expect(server.stats().frames).toBe(before);
  });

  it('applies filters and tags each event with every matching subscription', async () => {
    const { bus, open } = await setup();
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'tools', filter: { types: ['tool.*'] } });
    client.send({
      type: 'subscribe',
      v: 1,
      id: 'run2',
      filter: { run_ids: ['run-2'], audit_levels: ['export'] },
    });
    await client.next((m) => m.type === 'subscribed' && m['id'] === 'run2');
    bus.publish(makeEnvelope(1, { event_type: 'llm.call' }));
    bus.publish(makeEnvelope(2, { event_type: 'tool.call', run_id: 'run-2', audit_level: 'export' }));
    bus.publish(makeEnvelope(3, { event_type: 'llm.call', run_id: 'run-2', audit_level: 'export' }));
    bus.publish(makeEnvelope(4, { event_type: 'tool.result' }));
    // events arrive in publish order: once the last one is here, a wrongly delivered earlier one would be too
    await client.waitForSeq(4);
    expect(client.events().map((e) => [e.seq, e.subs])).toEqual([
      [2, ['tools', 'run2']],
      [3, ['run2']],
      [4, ['tools']],
    ]);
  });

  it('replays the ring buffer after since, then acknowledges, then streams live', async () => {
    const { bus, open } = await setup({ bufferSize: 10 });
    for (let i = 1; i <= 5; i++) bus.publish(makeEnvelope(i));
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'r', since: 2 });
    await client.next((m) => m.type === 'subscribed');
    bus.publish(makeEnvelope(6));
    await client.waitForEvents(4);
    expect(client.events().map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    const types = client.messages.map((m) => m.type);
    expect(types.indexOf('subscribed')).toBeGreaterThan(types.indexOf('events'));
    expect(client.messages.find((m) => m.type === 'subscribed')).toMatchObject({ seq: 5 });
    expect(client.messages.some((m) => m.type === 'gap')).toBe(false);
  });

  it('says explicitly with a gap when since fell out of the buffer', async () => {
    const { bus, open } = await setup({ bufferSize: 3 });
    for (let i = 1; i <= 10; i++) bus.publish(makeEnvelope(i));
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'r', since: 4 });
    await client.next((m) => m.type === 'subscribed');
    expect(client.messages.find((m) => m.type === 'gap')).toEqual({
      type: 'gap',
      v: 1,
      subs: ['r'],
      from: 5,
      to: 7,
      reason: 'evicted',
    });
    expect(client.events().map((e) => e.seq)).toEqual([8, 9, 10]);
  });

  it('sends a reset gap and the whole buffer to a client resuming from another server epoch', async () => {
    const { bus, open } = await setup();
    bus.publish(makeEnvelope(1));
    bus.publish(makeEnvelope(2));
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'r', since: 500, epoch: 'old-epoch' });
    await client.next((m) => m.type === 'subscribed');
    expect(client.messages.find((m) => m.type === 'gap')).toMatchObject({ reason: 'reset', from: 1, to: 0 });
    expect(client.events().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('answers malformed, unknown, oversized and binary messages with an error and keeps serving', async () => {
    const { bus, open } = await setup({ maxMessageBytes: 256 });
    const client = await open();
    const hostile: [unknown, string][] = [
      ['{not json', 'bad_json'],
      ['[1,2]', 'invalid_message'],
      [{ type: 'subscribe', v: 2, id: 'x' }, 'unsupported_version'],
      [{ type: 'launch', v: 1 }, 'unknown_type'],
      [{ type: 'subscribe', v: 1, id: 'bad id!' }, 'invalid_message'],
      [{ type: 'subscribe', v: 1, id: 'f', filter: { types: ['DROP TABLE'] } }, 'invalid_message'],
      [{ type: 'subscribe', v: 1, id: 'f', since: -1 }, 'invalid_message'],
      [{ type: 'subscribe', v: 1, id: 'f', extra: true }, 'invalid_message'],
      [{ type: 'subscribe', v: 1, id: 'x', filter: { types: ['a'.repeat(300)] } }, 'too_large'],
      [{ type: 'unsubscribe', v: 1, id: 'nope' }, 'unknown_subscription'],
    ];
    for (const [message] of hostile) client.send(message);
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const received = await client.waitForMessages((m) => m.type === 'error', hostile.length + 1);
    expect(received.map((m) => m['code'])).toEqual([...hostile.map(([, code]) => code), 'invalid_message']);
    for (const m of received) expect(String(m['message']).length).toBeGreaterThan(10);
    client.send({ type: 'subscribe', v: 1, id: 'ok' });
    await client.next((m) => m.type === 'subscribed');
    bus.publish(makeEnvelope(1));
    await client.waitForEvents(1);
  });

  it('closes a connection whose frame exceeds maxPayload with 1009, without affecting others', async () => {
    const { bus, open } = await setup({ maxMessageBytes: 1024, maxPayload: 4096 });
    const victim = await open();
    const other = await open();
    other.send({ type: 'subscribe', v: 1, id: 'a' });
    await other.next((m) => m.type === 'subscribed');
    victim.send('x'.repeat(10_000));
    expect(await victim.closed).toBe(1009);
    bus.publish(makeEnvelope(1));
    await other.waitForEvents(1);
  });

  it('limits subscriptions per connection and refuses duplicates', async () => {
    const { open } = await setup({ maxSubscriptions: 2 });
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'a' });
    client.send({ type: 'subscribe', v: 1, id: 'a' });
    client.send({ type: 'subscribe', v: 1, id: 'b' });
    client.send({ type: 'subscribe', v: 1, id: 'c' });
    await client.next((m) => m.type === 'error' && m['id'] === 'c');
    expect(client.messages.filter((m) => m.type === 'error').map((m) => [m['id'], m['code']])).toEqual([
      ['a', 'duplicate_subscription'],
      ['c', 'too_many_subscriptions'],
    ]);
    client.send({ type: 'unsubscribe', v: 1, id: 'a' });
    await client.next((m) => m.type === 'unsubscribed');
    client.send({ type: 'subscribe', v: 1, id: 'c' });
    await client.next((m) => m.type === 'subscribed' && m['id'] === 'c');
  });

  it('answers ping with a heartbeat carrying the current sequence', async () => {
    const { bus, open } = await setup();
    bus.publish(makeEnvelope(1));
    const client = await open();
    client.send({ type: 'ping', v: 1 });
    expect(await client.next((m) => m.type === 'heartbeat')).toMatchObject({ seq: 1 });
  });

  it('refuses more than maxClients connections with 503', async () => {
    const { url, open } = await setup({ maxClients: 1 });
    await open();
    await expect(RawClient.open(url)).rejects.toThrow(/503/);
  });
});

describe('stream server security', () => {
  it('refuses a missing or wrong token with 401 and accepts it as a Bearer header or query parameter', async () => {
    const { url, open } = await setup({ token: TOKEN });
    await expect(RawClient.open(url)).rejects.toThrow(/401/);
    await expect(
      RawClient.open(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } }),
    ).rejects.toThrow(/401/);
    await expect(RawClient.open(`${url}?token=${TOKEN}x`)).rejects.toThrow(/401/);
    await open('', { headers: { authorization: `Bearer ${TOKEN}` } });
    await open(`?token=${TOKEN}`);
  });

  it('refuses to bind a non-loopback address without a token', () => {
    expect(() => createStreamServer({ bus: new EventBus(), host: '0.0.0.0' })).toThrow(ObsConfigError);
    expect(() => createStreamServer({ bus: new EventBus(), host: '0.0.0.0' })).toThrow(/requires a token/);
    expect(() => createStreamServer({ bus: new EventBus(), host: '0.0.0.0', token: 'short' })).toThrow(
      /16 characters/,
    );
  });

  it('rejects invalid options with a config error naming the field', () => {
    const bus = new EventBus();
    expect(() => createStreamServer({ bus, port: 70_000 })).toThrow(/stream\.port/);
    expect(() => createStreamServer({ bus, bufferSize: -1 })).toThrow(/stream\.bufferSize/);
    expect(() => createStreamServer({ bus: {} as EventBus })).toThrow(/expected an EventBus/);
    expect(() => createStreamServer({ bus, port: 1, server: createServer() })).toThrow(/either port/);
  });

  it('answers an unknown path with 404', async () => {
    const { url } = await setup();
    await expect(RawClient.open(url.replace('/v1/stream', '/other'))).rejects.toThrow(/404/);
  });
});

describe('stream server lifecycle', () => {
  it('attaches to an existing http server on a path, leaving its routes alone', async () => {
    const http = createServer((_req, res) => res.end('app'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const bus = new EventBus();
    const server = createStreamServer({ bus, server: http, path: '/live' });
    cleanup.push(server, { close: () => new Promise<void>((r) => http.close(() => r())) });
    const { port } = http.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('app');
    const client = await RawClient.open(`ws://127.0.0.1:${port}/live`);
    cleanup.push(client);
    client.send({ type: 'subscribe', v: 1, id: 'a' });
    await client.next((m) => m.type === 'subscribed');
    bus.publish(makeEnvelope(1));
    await client.waitForEvents(1);
    await server.close();
    expect(await client.closed).toBe(1000);
    expect(http.listening).toBe(true);
  });

  it('flushes every queued event before closing clients with 1000 and releases the port', async () => {
    // the drain deadline is a guard here, far beyond what a loaded machine needs for 2 000 events
    const { bus, server, url, open } = await setup({ shutdownTimeoutMs: 60_000 });
    const client = await open();
    client.send({ type: 'subscribe', v: 1, id: 'a' });
    await client.next((m) => m.type === 'subscribed');
    for (let i = 1; i <= 2_000; i++) bus.publish(makeEnvelope(i));
    await server.close();
    expect(await client.closed).toBe(1000);
    expect(client.closeReason).toBe('server shutting down');
    expect(client.events()).toHaveLength(2_000);
    await expect(RawClient.open(url)).rejects.toThrow();
    expect(bus.size).toBe(0);
    await server.close();
  });

  it('terminates a peer that stops answering pings', async () => {
    // the heartbeat's interval is faked: each beat happens when the test says, after the pongs it needs
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { bus, server, open } = await setup({ heartbeatMs: 40 });
      const dead = await open('', { autoPong: false });
      const live = await open();
      expect(server.stats().clients).toBe(2);
      const beats = () => live.messages.filter((m) => m.type === 'heartbeat').length;
      // beat 1 pings both; live answers with a pong, which the server reads before live's next message,
      // so the heartbeat answering live's ping says its pong is in
      vi.advanceTimersByTime(40);
      await live.waitForMessages((m) => m.type === 'heartbeat', 1);
      live.send({ type: 'ping', v: 1 });
      await live.waitForMessages((m) => m.type === 'heartbeat', beats() + 1);
      // beat 2: the dead peer never answered beat 1 and is terminated; live answered and stays
      vi.advanceTimersByTime(40);
      expect(await dead.closed).toBe(1006);
      // the server drops the connection on its socket's close event, which no API exposes: poll it
      for (const end = Date.now() + 10_000; server.stats().clients > 1 && Date.now() < end; ) await sleep(5);
      expect(server.stats().clients).toBe(1);
      live.send({ type: 'subscribe', v: 1, id: 'a' });
      await live.next((m) => m.type === 'subscribed');
      bus.publish(makeEnvelope(1));
      await live.waitForEvents(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

export type { StreamServer };
