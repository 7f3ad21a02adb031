import type WebSocket from 'ws';
import type { FilterMatcher } from './filter.js';
import { encodeControl } from './protocol.js';
import type { StreamItem } from './ring-buffer.js';
import { frameBytes, frameText, itemText } from './shared-encoding.js';

/** One subscription of a connected client. */
export interface ClientSubscription {
  readonly id: string;
  readonly idJson: string;
  readonly matches: FilterMatcher;
}

/** Flow-control settings shared by every connection. */
export interface ConnectionLimits {
  /** Cap on the connection's own queue plus what `ws` still buffers. */
  maxPendingBytes: number;
  slowClient: 'close' | 'skip';
  maxFrameBytes: number;
}

interface Entry {
  /** 0 for control messages. */
  seq: number;
  text: string;
  /** Set on the open gap entry while skipping. */
  gap?: { from: number; to: number };
}

/** Close code sent to a client dropped for reading too slowly (1013 Try Again Later). */
export const SLOW_CLIENT_CLOSE_CODE = 1013;

/**
 * A connected client: its subscriptions and an ordered, byte-bounded outgoing queue. Events
 * queued together leave in one `events` frame; nothing is handed to `ws` while it buffers more
 * than one frame, so a client that stops reading holds at most about `maxPendingBytes`.
 */
export class ClientConnection {
  readonly ws: WebSocket;
  readonly subs = new Map<string, ClientSubscription>();
  alive = true;
  closing = false;
  sent = 0;
  gaps = 0;
  readonly #limits: ConnectionLimits;
  readonly #onSlow: (client: ClientConnection) => void;
  #queue: Entry[] = [];
  #queueBytes = 0;
  #skipping: Entry | null = null;
  readonly #afterSend = (error?: Error | null) => {
    if (!error && this.#queue.length > 0) this.flush();
  };

  constructor(ws: WebSocket, limits: ConnectionLimits, onSlow: (client: ClientConnection) => void) {
    this.ws = ws;
    this.#limits = limits;
    this.#onSlow = onSlow;
  }

  /** Bytes queued here plus bytes `ws` has not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.#queueBytes + this.ws.bufferedAmount;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a live event for the subscriptions it matches. */
  offer(item: StreamItem): boolean {
    if (this.closing) return false;
    let subsJson: string | undefined;
    for (const sub of this.subs.values()) {
      if (!sub.matches(item.fields)) continue;
      subsJson = subsJson === undefined ? sub.idJson : `${subsJson},${sub.idJson}`;
    }
    if (subsJson === undefined) return false;
    this.enqueueEvent(item, `[${subsJson}]`);
    return true;
  }

  /** Queues one event for the given subscription list (a JSON array text). */
  enqueueEvent(item: StreamItem, subsJson: string): void {
    if (this.closing) return;
    if (this.#skipping !== null) {
      this.#skipping.gap!.to = item.seq;
      return;
    }
    const text = itemText(item, subsJson);
    if (this.pendingBytes + text.length > this.#limits.maxPendingBytes) {
      this.#overflow(item.seq);
      return;
    }
    this.#push({ seq: item.seq, text });
  }

  /** Queues a control message (hello, subscribed, error, heartbeat…) behind queued events. */
  enqueueControl(text: string): void {
    if (this.closing) return;
    if (this.pendingBytes + text.length > this.#limits.maxPendingBytes) {
      this.#overflow(0);
      return;
    }
    this.#push({ seq: 0, text });
  }

  /** True while events are being skipped for this client (policy `skip`). */
  get skipping(): boolean {
    return this.#skipping !== null;
  }

  /** Hands queued entries to `ws`, a frame at a time, while `ws` buffers less than one frame. */
  flush(): void {
    if (this.ws.readyState !== 1) return;
    const { maxFrameBytes } = this.#limits;
    while (this.#queue.length > 0 && this.ws.bufferedAmount < maxFrameBytes) {
      const first = this.#queue[0]!;
      if (first === this.#skipping) {
        if (this.pendingBytes >= this.#limits.maxPendingBytes / 2) return;
        this.#skipping = null;
      }
      if (first.seq <= 0) {
        this.#queue.shift();
        this.#queueBytes -= first.text.length;
        this.#send(first.gap ? this.#gapText(first) : first.text);
        continue;
      }
      const items: string[] = [];
      let bytes = 0;
      while (this.#queue.length > 0) {
        const next = this.#queue[0]!;
        if (next.seq <= 0 || (items.length > 0 && bytes + next.text.length > maxFrameBytes)) break;
        this.#queue.shift();
        items.push(next.text);
        bytes += next.text.length;
      }
      this.#queueBytes -= bytes;
      this.#sendFrame(frameText(items));
    }
  }

  /** Resolves when everything queued has left `ws` (or the socket is gone), or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.#skipping = null;
    while (
      Date.now() < deadline &&
      this.ws.readyState === 1 &&
      (this.#queue.length > 0 || this.ws.bufferedAmount > 0)
    ) {
      this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Drops everything queued (the connection is going away). */
  discard(): void {
    this.#queue = [];
    this.#queueBytes = 0;
    this.#skipping = null;
  }

  #push(entry: Entry): void {
    this.#queue.push(entry);
    this.#queueBytes += entry.text.length;
  }

  #send(text: string): void {
    this.sent++;
    this.ws.send(text, this.#afterSend);
  }

  /** An events frame, as bytes shared with the other clients it goes to. */
  #sendFrame(text: string): void {
    this.sent++;
    this.ws.send(frameBytes(text), { binary: false }, this.#afterSend);
  }

  #overflow(seq: number): void {
    if (this.#limits.slowClient === 'close' || seq === 0) {
      this.closing = true;
      this.discard();
      this.#onSlow(this);
      return;
    }
    let from = seq;
    const kept: Entry[] = [];
    let bytes = 0;
    for (const entry of this.#queue) {
      if (entry.seq !== 0 && !entry.gap) {
        from = Math.min(from, entry.seq);
        continue;
      }
      kept.push(entry);
      bytes += entry.text.length;
    }
    this.#queue = kept;
    this.#queueBytes = bytes;
    this.gaps++;
    this.#skipping = { seq: -1, text: '', gap: { from, to: seq } };
    this.#push(this.#skipping);
  }

  #gapText(entry: Entry): string {
    return encodeControl({ type: 'gap', subs: [...this.subs.keys()], ...entry.gap!, reason: 'slow_client' });
  }
}
