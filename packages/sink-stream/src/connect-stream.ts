import { type Envelope, fromZodIssues, ObsValidationError } from '@obs/core';
import WebSocket from 'ws';
import { ObsStreamError, STREAM_ERROR_CODES, type StreamErrorCode } from './errors.js';
import { type StreamFilter, StreamFilterSchema } from './filter.js';
import { type EventItem, type GapMessage, PROTOCOL_VERSION, type ServerMessage } from './protocol.js';

/** Options of {@link connectStream}. */
export interface ConnectStreamOptions {
  /** `ws://host:port/path` of a stream server. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  filter?: StreamFilter;
  /** Replay what the server still holds after this sequence before going live. */
  since?: number;
  /** Server epoch `since` refers to, when known. */
  epoch?: string;
  /** Called for each event, in stream order, at most once per sequence. */
  onEvent: (event: Envelope, meta: { seq: number; subs: readonly string[] }) => void;
  /** Called when the server says events were skipped (evicted from its buffer, server restart, slow reading). */
  onGap?: (gap: GapMessage) => void;
  /** Connection problems and server `error` messages; the client keeps reconnecting unless refused with 401 or 403. */
  onError?: (error: ObsStreamError) => void;
  /** Backoff between reconnects (default 100 ms doubling to 5 s); `false` disables reconnecting. */
  reconnect?: false | { minDelayMs?: number; maxDelayMs?: number };
}

/** A live subscription that reconnects and resumes from the last seen sequence. */
export interface StreamClient {
  /** Highest sequence this client has fully received (events, gaps, acks, heartbeats). */
  readonly lastSeq: number | undefined;
  /** Epoch of the server last connected to. */
  readonly epoch: string | undefined;
  readonly connected: boolean;
  /** Times the client connected after the first time. */
  readonly reconnects: number;
  /**
   * Resolves on the first `subscribed`. Rejects with an `ObsStreamError` when the client stops before
   * that: refused with 401 (`unauthorized`) or 403 (`forbidden`), the connection lost with
   * `reconnect: false` (`connection`), or `close()` called (`closed`).
   */
  readonly ready: Promise<void>;
  /** Stops reconnecting and closes the socket with 1000. */
  close(): Promise<void>;
}

const SUB_ID = 'main';

/** HTTP refusals that reconnecting cannot fix. */
const REFUSALS: Partial<Record<number, StreamErrorCode>> = {
  401: STREAM_ERROR_CODES.UNAUTHORIZED,
  403: STREAM_ERROR_CODES.FORBIDDEN,
};

/** Connects to a stream server: `connectStream({ url, token, filter, onEvent })`. */
export function connectStream(options: ConnectStreamOptions): StreamClient {
  const filter = StreamFilterSchema.safeParse(options.filter ?? {});
  if (!filter.success) throw new ObsValidationError('stream filter', fromZodIssues(filter.error.issues));
  return new ReconnectingClient(options, filter.data);
}

class ReconnectingClient implements StreamClient {
  lastSeq: number | undefined;
  epoch: string | undefined;
  connected = false;
  reconnects = -1;
  readonly ready: Promise<void>;
  readonly #o: ConnectStreamOptions;
  readonly #filter: StreamFilter;
  #resolveReady!: () => void;
  #rejectReady!: (error: Error) => void;
  #ws: WebSocket | undefined;
  #stopped = false;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #livenessTimer: NodeJS.Timeout | undefined;
  #livenessMs = 0;
  /** True once this connection's subscription is acknowledged: heartbeats then mark progress. */
  #live = false;

  constructor(options: ConnectStreamOptions, filter: StreamFilter) {
    this.#o = options;
    this.#filter = filter;
    this.lastSeq = options.since;
    this.epoch = options.epoch;
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.#open();
  }

  async close(): Promise<void> {
    this.#stop(
      STREAM_ERROR_CODES.CLOSED,
      'the client was closed before the server acknowledged the subscription',
    );
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#livenessTimer);
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client closing');
    });
  }

  #open(): void {
    this.reconnects++;
    const headers = this.#o.token ? { authorization: `Bearer ${this.#o.token}` } : undefined;
    const ws = new WebSocket(this.#o.url, { headers, perMessageDeflate: false });
    this.#ws = ws;
    let refusal: StreamErrorCode | undefined;
    let lastError = 'the connection closed';
    ws.on('unexpected-response', (_req, res) => {
      refusal = REFUSALS[res.statusCode ?? 0];
      lastError = `server refused the connection with HTTP ${res.statusCode}`;
      this.#fail(refusal ?? STREAM_ERROR_CODES.CONNECTION, lastError);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      this.connected = true;
      this.#live = false;
      const resume =
        this.lastSeq === undefined
          ? {}
          : { since: this.lastSeq, ...(this.epoch ? { epoch: this.epoch } : {}) };
      ws.send(
        JSON.stringify({
          type: 'subscribe',
          v: PROTOCOL_VERSION,
          id: SUB_ID,
          filter: this.#filter,
          ...resume,
        }),
      );
    });
    ws.on('message', (data) => this.#receive(data.toString()));
    ws.on('error', (error) => {
      if (refusal === undefined) lastError = error.message;
      this.#fail(STREAM_ERROR_CODES.CONNECTION, error.message, error);
    });
    ws.on('close', () => {
      this.connected = false;
      clearTimeout(this.#livenessTimer);
      if (refusal !== undefined) this.#stop(refusal, `stream ${lastError}`);
      else if (this.#o.reconnect === false)
        this.#stop(STREAM_ERROR_CODES.CONNECTION, `${lastError}; not reconnecting (reconnect: false)`);
      this.#scheduleReconnect();
    });
  }

  #receive(text: string): void {
    this.#touch();
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.#fail(STREAM_ERROR_CODES.BAD_JSON, 'server sent a frame that is not JSON');
      return;
    }
    switch (message.type) {
      case 'hello':
        this.#livenessMs = Math.ceil(message.heartbeat_ms * 2.5);
        this.#touch();
        break;
      case 'event':
        this.#deliver(message);
        break;
      case 'events':
        for (const item of message.events) this.#deliver(item);
        break;
      case 'gap':
        if (message.reason === 'reset') this.lastSeq = message.to;
        else this.#advance(message.to);
        this.#o.onGap?.(message);
        break;
      case 'subscribed':
        this.epoch = message.epoch;
        this.#advance(message.seq);
        this.#live = true;
        this.#attempt = 0;
        this.#resolveReady();
        break;
      case 'heartbeat':
        if (this.#live) this.#advance(message.seq);
        break;
      case 'error':
        this.#fail(message.code as StreamErrorCode, `server error: ${message.message}`);
        break;
    }
  }

  #deliver(item: EventItem): void {
    if (this.lastSeq !== undefined && item.seq <= this.lastSeq) return;
    this.lastSeq = item.seq;
    try {
      this.#o.onEvent(item.event as Envelope, { seq: item.seq, subs: item.subs });
    } catch (error) {
      this.#fail(STREAM_ERROR_CODES.CONNECTION, `onEvent threw: ${(error as Error).message}`, error);
    }
  }

  #advance(seq: number): void {
    if (this.lastSeq === undefined || seq > this.lastSeq) this.lastSeq = seq;
  }

  #touch(): void {
    if (this.#livenessMs === 0) return;
    clearTimeout(this.#livenessTimer);
    this.#livenessTimer = setTimeout(() => this.#ws?.terminate(), this.#livenessMs);
    this.#livenessTimer.unref();
  }

  /** Stops for good; `ready` rejects with `code` unless it already resolved. */
  #stop(code: StreamErrorCode, message: string): void {
    this.#stopped = true;
    this.#rejectReady(new ObsStreamError(code, message));
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const backoff = this.#o.reconnect || {};
    const min = backoff.minDelayMs ?? 100;
    const max = backoff.maxDelayMs ?? 5_000;
    const base = Math.min(max, min * 2 ** this.#attempt++);
    this.#retryTimer = setTimeout(() => this.#open(), base * (0.8 + Math.random() * 0.4));
  }

  #fail(code: StreamErrorCode, message: string, cause?: unknown): void {
    try {
      this.#o.onError?.(new ObsStreamError(code, message, { cause }));
    } catch {
      // a throwing error handler must not break the client
    }
  }
}
