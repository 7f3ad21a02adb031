import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AccessGuard } from '@obs/http-access';
import { type WebSocket, WebSocketServer } from 'ws';

/** What the gate needs from its stream server. */
export interface UpgradeGateOptions {
  http: HttpServer;
  /** True when the stream server created `http`: every upgrade is then ours to answer. */
  ownsHttp: boolean;
  path: string;
  token: string | undefined;
  /** Bind address of an own server, accepted in `Host` besides the loopback names. */
  host: string;
  maxClients: number;
  maxPayload: number;
  isClosing(): boolean;
  clientCount(): number;
  accept(ws: WebSocket): void;
}

type Refusal = { status: number; text: string; message?: string };

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/**
 * Answers the WebSocket upgrades of the stream path: 404 for another path, 503 while closing or
 * full, 403 for a foreign address, `Host` or `Origin`, 401 for a missing or wrong token.
 */
export class UpgradeGate {
  readonly #o: UpgradeGateOptions;
  readonly #guard: AccessGuard;
  readonly #wss: WebSocketServer;
  readonly #listener = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.#upgrade(req, socket, head);
  #refused = 0;

  constructor(options: UpgradeGateOptions) {
    this.#o = options;
    this.#guard = new AccessGuard({
      token: options.token,
      queryToken: true,
      hosts: options.ownsHttp ? [options.host] : [],
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
    });
    options.http.on('upgrade', this.#listener);
  }

  /** Upgrades refused so far. */
  get refused(): number {
    return this.#refused;
  }

  /** Stops answering upgrades (other listeners of a shared server keep theirs). */
  detach(): void {
    this.#o.http.off('upgrade', this.#listener);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    const http = this.#o.http;
    if (path !== this.#o.path && !this.#o.ownsHttp && http.listenerCount('upgrade') > 1) return;
    socket.on('error', () => {});
    const refusal = this.#refusal(req, path);
    if (refusal === null) this.#wss.handleUpgrade(req, socket, head, (ws) => this.#o.accept(ws));
    else this.#reject(socket, refusal);
  }

  #refusal(req: IncomingMessage, path: string | undefined): Refusal | null {
    if (path !== this.#o.path) return refusal(404);
    if (this.#o.isClosing()) return refusal(503);
    const denial = this.#guard.check(req, { origin: true });
    if (denial !== null) return refusal(denial.status, denial.message);
    if (this.#o.clientCount() >= this.#o.maxClients) return refusal(503);
    return null;
  }

  #reject(socket: Duplex, { status, text, message }: Refusal): void {
    this.#refused++;
    const auth = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
    const body = message === undefined ? '' : `${message}\n`;
    const type = body ? 'Content-Type: text/plain; charset=utf-8\r\n' : '';
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${auth}${type}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  }
}

const refusal = (status: number, message?: string): Refusal => ({
  status,
  text: STATUS_TEXT[status] ?? 'Refused',
  ...(message === undefined ? {} : { message }),
});
