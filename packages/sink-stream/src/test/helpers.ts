import type { Envelope } from '@obs/core';
import { uuidv7 } from '@obs/core';
import WebSocket from 'ws';
import { EventBus } from '../event-bus.js';
import type { StreamServerOptions } from '../server-options.js';
import { createStreamServer, type StreamServer } from '../stream-server.js';

/** A valid envelope for tests. */
export function makeEnvelope(n: number, overrides: Partial<Envelope> = {}): Envelope {
  return {
    schema_version: 1,
    event_id: uuidv7(),
    event_type: 'tool.call',
    timestamp: new Date().toISOString(),
    seq: n,
    source: 'test',
    run_id: 'run-1',
    request_id: null,
    cycle: null,
    session_id: 's-1',
    turn_number: null,
    parent_event_id: null,
    audit_level: 'turn',
    status: null,
    duration_ms: null,
    payload: { n },
    ...overrides,
  };
}

/** A bus plus a listening server on 127.0.0.1; `close` stops both. */
export async function startServer(options: Partial<StreamServerOptions> = {}) {
  const bus = new EventBus();
  const server = createStreamServer({ bus, ...options });
  await server.listen();
  return { bus, server, url: server.url };
}

type Message = Record<string, unknown> & { type: string };

/** A plain `ws` client that only speaks the documented JSON protocol and records every message. */
export class RawClient {
  readonly messages: Message[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly #waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  /** Conditions on everything received so far, checked again on every message. */
  readonly #conditions: { test: () => boolean; resolve: () => void }[] = [];
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.messages.push(message);
      for (const w of [...this.#waiters]) {
        if (w.test(message)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
      for (const c of [...this.#conditions]) {
        if (c.test()) {
          this.#conditions.splice(this.#conditions.indexOf(c), 1);
          c.resolve();
        }
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      }),
    );
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options);
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first recorded or future message passing `test`. */
  next(test: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Every delivered event item, flattening `events` frames. */
  events(): { seq: number; subs: string[]; event: Envelope }[] {
    const out: { seq: number; subs: string[]; event: Envelope }[] = [];
    for (const m of this.messages) {
      if (m.type === 'event') {
        const { type: _type, v: _v, ...item } = m;
        out.push(item as never);
      }
      if (m.type === 'events') out.push(...(m['events'] as never[]));
    }
    return out;
  }

  /**
   * Resolves once what was received passes `test`, checked on every message; rejects after
   * `timeoutMs` (a guard against a hang, not a pace: it is never what a passing test waits for).
   */
  until(test: () => boolean, describe: () => string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const condition = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#conditions.splice(this.#conditions.indexOf(condition), 1);
        reject(new Error(describe()));
      }, timeoutMs);
      this.#conditions.push(condition);
    });
  }

  /** Resolves once `count` events arrived. */
  waitForEvents(count: number, timeoutMs = 10_000): Promise<void> {
    return this.until(
      () => this.events().length >= count,
      () => `got ${this.events().length} of ${count} events`,
      timeoutMs,
    );
  }

  /** Resolves once the event with sequence `seq` arrived (events arrive in order: every earlier one is here too). */
  waitForSeq(seq: number, timeoutMs = 10_000): Promise<void> {
    return this.until(
      () => this.events().some((e) => e.seq === seq),
      () =>
        `no event with seq ${seq}; got ${this.events()
          .map((e) => e.seq)
          .join(',')}`,
      timeoutMs,
    );
  }

  /** Resolves once `count` messages passing `test` arrived. */
  waitForMessages(test: (m: Message) => boolean, count: number, timeoutMs = 10_000): Promise<Message[]> {
    const matching = () => this.messages.filter(test);
    return this.until(
      () => matching().length >= count,
      () => `got ${matching().length} of ${count} messages`,
      timeoutMs,
    ).then(matching);
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(this.closeCode ?? 1006);
    this.ws.close();
    return this.closed;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closes every server and client given, ignoring what is already closed. */
export async function closeAll(
  ...things: ({ close(): Promise<unknown> } | StreamServer | undefined)[]
): Promise<void> {
  await Promise.all(things.map((t) => t?.close().catch(() => {})));
}
