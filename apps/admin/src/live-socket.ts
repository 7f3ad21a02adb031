import type { ReadStore, TailOptions } from '@obs/read-store';
import type { WebSocket } from 'ws';
import type { LiveMessage } from './api-types.js';

/** Bytes a client may have unsent before new events for it are dropped (and counted). */
export const LIVE_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Events a client may have waiting for its next frame before new ones are dropped (and counted): a
 * tail that yields a long backlog without letting the frame go out cannot grow the server's memory.
 */
export const LIVE_MAX_PENDING_EVENTS = 1000;
const HEARTBEAT_MS = 30_000;

/**
 * Feeds one browser socket from `store.tail()`: the events of one poll go out as one frame; a
 * client that cannot keep up, or a backlog past {@link LIVE_MAX_PENDING_EVENTS} waiting for one
 * frame, has events dropped and is told how many, so memory stays bounded.
 */
export class LiveFeed {
  readonly #abort = new AbortController();
  readonly #socket: WebSocket;
  #pending: LiveMessage & { kind: 'events' } = { kind: 'events', items: [] };
  #scheduled = false;
  #dropped = 0;
  #alive = true;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    store: ReadStore,
    socket: WebSocket,
    options: Omit<TailOptions, 'signal'>,
    onError: (e: Error) => void,
  ) {
    this.#socket = socket;
    socket.on('close', () => this.stop());
    socket.on('error', () => this.stop());
    socket.on('pong', () => {
      this.#alive = true;
    });
    this.#heartbeat = setInterval(() => {
      if (!this.#alive) socket.terminate();
      this.#alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#send({ kind: 'ready' });
    void this.#pump(store, options).catch((error: unknown) => {
      if (this.#abort.signal.aborted) return;
      onError(error instanceof Error ? error : new Error(String(error)));
      this.#send({ kind: 'error', message: 'the live tail stopped; reload to retry' });
      socket.close(1011, 'tail failed');
    });
  }

  /** Ends the tail and the socket. */
  stop(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    clearInterval(this.#heartbeat);
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.close(1001, 'server closing');
  }

  async #pump(store: ReadStore, options: Omit<TailOptions, 'signal'>): Promise<void> {
    for await (const tailed of store.tail({ ...options, signal: this.#abort.signal })) {
      if (this.#abort.signal.aborted) return;
      if (
        this.#socket.bufferedAmount > LIVE_MAX_BUFFERED_BYTES ||
        this.#pending.items.length >= LIVE_MAX_PENDING_EVENTS
      )
        this.#dropped++;
      else this.#pending.items.push({ cursor: tailed.cursor, event: tailed.envelope });
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Sends the waiting events, then how many later ones were dropped since the last frame. */
  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.items.length > 0) {
      const batch = this.#pending;
      this.#pending = { kind: 'events', items: [] };
      this.#send(batch);
    }
    if (this.#dropped > 0) {
      this.#send({ kind: 'dropped', count: this.#dropped });
      this.#dropped = 0;
    }
  }

  #send(message: LiveMessage): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(JSON.stringify(message));
  }
}
