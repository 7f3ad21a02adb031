import { fileURLToPath } from 'node:url';
import { describeSinkContract } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from './event-bus.js';
import { createStreamServer } from './stream-server.js';
import { createStreamSink } from './stream-sink.js';

/** End of the JSON object that starts at `from` (strings and escapes skipped). */
function objectEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced JSON in a frame: ${text}`);
}

/** The envelope texts of an `event` or `events` frame, exactly as they came over the socket. */
function eventTexts(frame: string): string[] {
  const { type } = JSON.parse(frame) as { type: string };
  if (type !== 'event' && type !== 'events') return [];
  const out: string[] = [];
  // subscription ids cannot hold a quote, so the next "event": after an item's start is its key
  for (let at = frame.indexOf('"event":'); at >= 0; at = frame.indexOf('"event":', at)) {
    const start = at + '"event":'.length;
    at = objectEnd(frame, start);
    out.push(frame.slice(start, at));
  }
  return out;
}

/** A stream sink, a stream server on 127.0.0.1 over its bus, and a subscribed WebSocket client. */
async function streamHarness() {
  const bus = new EventBus();
  const sink = createStreamSink({ bus });
  const server = createStreamServer({ bus, port: 0 });
  await server.listen();
  const ws = new WebSocket(server.url);
  const frames: string[] = [];
  const waiters = new Set<(frame: string) => void>();
  ws.on('message', (data) => {
    const frame = data.toString();
    frames.push(frame);
    for (const waiter of waiters) waiter(frame);
  });
  const next = (test: (message: { type: string; seq?: number }) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such frame from the stream server')), 10_000);
      const waiter = (frame: string) => {
        if (!test(JSON.parse(frame))) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve();
      };
      waiters.add(waiter);
    });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const subscribed = next((m) => m.type === 'subscribed');
  ws.send(JSON.stringify({ type: 'subscribe', v: 1, id: 'contract' }));
  await subscribed;
  return {
    sink,
    /**
     * What the subscriber received. A ping is answered with a heartbeat queued behind every event
     * already published: once one arrives whose `seq` covers the server's head, all of them are here.
     */
    async stored() {
      const head = server.stats().seq;
      const caughtUp = next((m) => m.type === 'heartbeat' && (m.seq ?? -1) >= head);
      ws.send(JSON.stringify({ type: 'ping', v: 1 }));
      await caughtUp;
      return frames.flatMap(eventTexts);
    },
    async cleanup() {
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await closed;
      await server.close();
    },
  };
}

describeSinkContract('stream (a WebSocket subscriber)', streamHarness, {
  test: { describe, it, expect },
  bytes: true,
  redelivery: {
    unsupported:
      'publishing to the bus cannot fail part-way and has no acknowledgement to lose; subscribers that resume with `since` skip what they saw by seq',
  },
  badOptions: {
    create: (options) => createStreamSink(options as never),
    options: { name: '', bus: {}, nope: 1 },
    keys: ['name', 'bus', 'nope'],
  },
  health: true,
  bareProcess: { module: fileURLToPath(new URL('../test-fixtures/contract-sink.mjs', import.meta.url)) },
});
