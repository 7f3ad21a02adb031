import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ComponentLogger, diag, OBS_ERROR_CODES, ObsError } from '@obs/core';
import type { WebSocket } from 'ws';
import { ClientConnection, SLOW_CLIENT_CLOSE_CODE } from './client-connection.js';
import type { BusSubscription } from './event-bus.js';
import { handleClientMessage } from './message-handler.js';
import { parseClientMessage } from './message-parser.js';
import { encodeControl } from './protocol.js';
import { RingBuffer, type StreamItem } from './ring-buffer.js';
import {
  type ResolvedStreamServerOptions,
  resolveServerOptions,
  type StreamServerOptions,
} from './server-options.js';
import { UpgradeGate } from './upgrade-gate.js';

/** Counters of a stream server. */
export interface StreamServerStats {
  clients: number;
  /** Last assigned stream sequence. */
  seq: number;
  buffered: number;
  oldest: number | null;
  /** Frames handed to sockets since the server started, to clients gone or still connected. */
  frames: number;
  refused: number;
  slowClosed: number;
  gaps: number;
  pendingBytes: number;
}

/** A WebSocket server streaming the events of an `EventBus` (see the README for the protocol). */
export interface StreamServer {
  /** Random id of this server run; a client resuming with another epoch gets a `reset` gap. */
  readonly epoch: string;
  /** Starts listening (own server) and resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** `ws://host:port/path` once listening. */
  readonly url: string;
  stats(): StreamServerStats;
  /** Stops accepting, flushes every client, closes them with 1000 and releases the port. Idempotent. */
  close(): Promise<void>;
}

/** Creates a stream server over `options.bus`: on its own port (`port`) or attached to your `server`. */
export function createStreamServer(options: StreamServerOptions): StreamServer {
  return new WsStreamServer(resolveServerOptions(options));
}

class WsStreamServer implements StreamServer {
  readonly epoch = randomUUID();
  readonly #o: ResolvedStreamServerOptions;
  readonly #log: ComponentLogger;
  readonly #http: HttpServer;
  readonly #ownsHttp: boolean;
  readonly #gate: UpgradeGate;
  readonly #ring: RingBuffer;
  readonly #clients = new Set<ClientConnection>();
  readonly #busSub: BusSubscription;
  readonly #heartbeat: NodeJS.Timeout;
  #seq = 0;
  #flushScheduled = false;
  #slowClosed = 0;
  /** Frames and gaps of clients already gone, so `stats()` counts them too. */
  #goneFrames = 0;
  #goneGaps = 0;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedStreamServerOptions) {
    this.#o = options;
    this.#log = diag(options.logger, 'sink-stream');
    this.#ring = new RingBuffer(options.bufferSize, options.bufferBytes);
    this.#ownsHttp = options.server === undefined;
    this.#http =
      options.server ??
      createServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('this endpoint speaks WebSocket only\n');
      });
    this.#gate = new UpgradeGate({
      http: this.#http,
      ownsHttp: this.#ownsHttp,
      path: options.path,
      token: options.token,
      host: options.host,
      maxClients: options.maxClients,
      maxPayload: options.maxPayload,
      isClosing: () => this.#closing !== undefined,
      clientCount: () => this.#clients.size,
      accept: (ws) => this.#connect(ws),
    });
    this.#busSub = options.bus.subscribe((record) => this.#publish(record.envelope, record.json));
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
    this.#heartbeat.unref();
  }

  get url(): string {
    const address = this.#http.address();
    if (address === null || typeof address === 'string')
      throw new ObsError(OBS_ERROR_CODES.CLOSED, 'the stream server is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}${this.#o.path}`;
  }

  listen(): Promise<AddressInfo> {
    if (this.#closing)
      return Promise.reject(new ObsError(OBS_ERROR_CODES.CLOSED, 'the stream server is closed'));
    if (this.#http.listening || !this.#ownsHttp) {
      return this.#http.listening
        ? Promise.resolve(this.#http.address() as AddressInfo)
        : onceListening(this.#http);
    }
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#o.port ?? 0, this.#o.host, () => {
        this.#http.off('error', reject);
        resolve(this.#http.address() as AddressInfo);
      });
    });
  }

  stats(): StreamServerStats {
    let frames = this.#goneFrames;
    let gaps = this.#goneGaps;
    let pendingBytes = 0;
    for (const c of this.#clients) {
      frames += c.sent;
      gaps += c.gaps;
      pendingBytes += c.pendingBytes;
    }
    return {
      clients: this.#clients.size,
      seq: this.#seq,
      buffered: this.#ring.size,
      oldest: this.#ring.oldestSeq ?? null,
      frames,
      refused: this.#gate.refused,
      slowClosed: this.#slowClosed,
      gaps,
      pendingBytes,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#busSub.unsubscribe();
    const timeout = this.#o.shutdownTimeoutMs;
    const clients = [...this.#clients];
    await Promise.all(clients.map((c) => c.drained(timeout)));
    const closed = clients.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.ws.readyState === 3 ? resolve() : c.ws.once('close', () => resolve()),
        ),
    );
    for (const c of clients) {
      c.closing = true;
      c.ws.close(1000, 'server shutting down');
    }
    await Promise.race([Promise.all(closed), delay(timeout)]);
    for (const c of clients) c.ws.terminate();
    this.#gate.detach();
    if (this.#ownsHttp && this.#http.listening) {
      await new Promise<void>((resolve) => {
        this.#http.close(() => resolve());
        this.#http.closeAllConnections();
      });
    }
  }

  #publish(envelope: StreamItem['fields'], json: string): void {
    const item: StreamItem = { seq: ++this.#seq, fields: envelope, json };
    this.#ring.push(item.seq, envelope, json);
    let any = false;
    for (const client of this.#clients) if (client.offer(item)) any = true;
    if (any) this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      for (const client of this.#clients) if (client.queued > 0) client.flush();
    });
  }

  #connect(ws: WebSocket): void {
    const client = new ClientConnection(ws, this.#o, (c) => this.#dropSlow(c));
    this.#clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.#message(client, data as Buffer, isBinary));
    ws.on('error', (error) => this.#log.warn(`stream client error: ${error.message}`));
    ws.on('close', () => {
      client.closing = true;
      client.discard();
      if (this.#clients.delete(client)) {
        this.#goneFrames += client.sent;
        this.#goneGaps += client.gaps;
      }
    });
    client.enqueueControl(
      encodeControl({
        type: 'hello',
        epoch: this.epoch,
        seq: this.#seq,
        oldest: this.#ring.oldestSeq ?? this.#seq + 1,
        heartbeat_ms: this.#o.heartbeatMs,
        limits: { max_message_bytes: this.#o.maxMessageBytes, max_subscriptions: this.#o.maxSubscriptions },
      }),
    );
    client.flush();
  }

  #message(client: ClientConnection, data: Buffer, isBinary: boolean): void {
    if (client.closing) return;
    handleClientMessage(client, parseClientMessage(data, isBinary, this.#o.maxMessageBytes), {
      epoch: this.epoch,
      head: this.#seq,
      ring: this.#ring,
      maxSubscriptions: this.#o.maxSubscriptions,
    });
    client.flush();
  }

  #dropSlow(client: ClientConnection): void {
    this.#slowClosed++;
    this.#log.warn('closing a stream client that reads too slowly', {
      pending_limit: this.#o.maxPendingBytes,
    });
    client.ws.close(
      SLOW_CLIENT_CLOSE_CODE,
      `slow consumer: more than ${this.#o.maxPendingBytes} bytes pending`,
    );
    terminateIfStalled(client.ws, this.#o.closeStallMs);
  }

  #beat(): void {
    const beat = encodeControl({ type: 'heartbeat', seq: this.#seq, time: new Date().toISOString() });
    for (const client of this.#clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
      if (!client.skipping) client.enqueueControl(beat);
      client.flush();
    }
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

const onceListening = (server: HttpServer) =>
  new Promise<AddressInfo>((resolve) =>
    server.once('listening', () => resolve(server.address() as AddressInfo)),
  );

/**
 * The close frame waits behind what the client has not read yet, so a client that is reading, even
 * slowly, reaches it and sees 1013; only one that reads nothing for `stallMs` is cut.
 * Once the frame is in the kernel, `ws`'s own close timeout takes over.
 */
function terminateIfStalled(ws: WebSocket, stallMs: number): void {
  let pending = ws.bufferedAmount;
  let stalledSince = Date.now();
  const timer = setInterval(() => {
    if (ws.readyState === ws.CLOSED || ws.bufferedAmount === 0) {
      clearInterval(timer);
    } else if (ws.bufferedAmount < pending) {
      pending = ws.bufferedAmount;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince >= stallMs) {
      clearInterval(timer);
      ws.terminate();
    }
  }, 250);
  timer.unref();
}
