import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseQueryParams, type QueryParams, type ReadStore } from '@obs/read-store';
import { WebSocketServer } from 'ws';
import { type AccessRules, isLoopbackHost } from './access-rules.js';
import { routeApi } from './api-routes.js';
import type { StoreInfo } from './api-types.js';
import { AdminConfigError, HttpError, toHttpError } from './http-error.js';
import { LiveFeed } from './live-socket.js';
import { sendError, sendJson, sendStream } from './responses.js';
import { applySecurityHeaders, createAdminGuard, TOKEN_COOKIE } from './security.js';
import { DEFAULT_UI_DIR, StaticFiles } from './static-files.js';

/** Options of {@link createAdminServer}. */
export interface AdminServerOptions {
  /** Where the dashboard reads from; the caller opens it and closes it after the server. */
  store: ReadStore;
  /** Default `127.0.0.1`. Any address that is not loopback requires `token`. */
  host?: string;
  /** Default 4600; `0` picks a free port. */
  port?: number;
  /** Required off loopback: at least 16 characters of `A-Z a-z 0-9 . _ ~ -`. */
  token?: string;
  /** Folder of the built UI (default: this package's `dist/ui`). */
  uiDir?: string;
  /** At most this many live sockets at once (default 32). */
  maxLiveClients?: number;
  /** Called with unexpected errors (a failing store read); the client only sees an opaque 500. */
  onError?: (error: Error) => void;
}

/** A running dashboard. */
export interface AdminServer {
  /** `http://host:port/` as bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  /** Stops the live feeds and the HTTP server; leaves the store open. Idempotent. */
  close(): Promise<void>;
}

const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,512}$/;
const READ_METHODS = new Set(['GET', 'HEAD']);

/** Starts the dashboard's HTTP server (JSON API, `/api/live` WebSocket and the UI) over a read store. */
export async function createAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4600;
  validateOptions(options, host, port);
  const guard = createAdminGuard(options.token, host);
  const files = new StaticFiles(options.uiDir ?? DEFAULT_UI_DIR);
  const onError = options.onError ?? (() => {});
  const info: StoreInfo = { kind: options.store.kind, auth: guard.requiresToken };
  const feeds = new Set<LiveFeed>();
  const maxLive = options.maxLiveClients ?? 32;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  const server = createServer((req, res) => {
    applySecurityHeaders(res);
    handleRequest(req, res).catch((error: unknown) => {
      const httpError = toHttpError(error);
      if (httpError.status >= 500) onError(error instanceof Error ? error : new Error(String(error)));
      if (res.headersSent) res.destroy();
      else sendError(res, httpError);
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const denial = guard.refusal(req, { origin: false, token: false });
    if (denial !== null) throw new HttpError(denial.status, denial.code, denial.message);
    if (!READ_METHODS.has(req.method ?? '')) {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `the dashboard is read-only: ${req.method} is not allowed`,
      );
    }
    if (!url.pathname.startsWith('/api/') && guard.requiresToken && url.searchParams.has('token')) {
      login(res, url, guard);
      return;
    }
    if (!guard.authorized(req)) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'a token is required: open the URL with ?token=… or send Authorization: Bearer …',
      );
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const result = await routeApi(options.store, apiSegments(url.pathname), url.searchParams, info);
      if (result.kind === 'json') sendJson(req, res, 200, result.body);
      else await sendStream(req, res, result);
      return;
    }
    files.serve(url.pathname, res, req.method === 'HEAD');
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api/live') return refuse(404, 'Not Found');
    const denial = guard.refusal(req, { origin: true, token: true });
    if (denial !== null) return refuse(denial.status, denial.status === 401 ? 'Unauthorized' : 'Forbidden');
    if (feeds.size >= maxLive) return refuse(503, 'Service Unavailable');
    let tail: QueryParams<'tail'>;
    try {
      tail = parseQueryParams('tail', url.searchParams);
    } catch (error) {
      // The reason phrase carries the message: printable ASCII only, so no header can be forged.
      return refuse(
        400,
        toHttpError(error)
          .message.replace(/[^\x20-\x7e]/g, '?')
          .slice(0, 1000),
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const feed = new LiveFeed(options.store, ws, tail, onError);
      feeds.add(feed);
      ws.on('close', () => feeds.delete(feed));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    host,
    port: boundPort,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const feed of feeds) feed.stop();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function validateOptions(options: AdminServerOptions, host: string, port: number): void {
  if (!options.store || typeof options.store.listRuns !== 'function') {
    throw new AdminConfigError('createAdminServer: expected `store` to be a ReadStore from @obs/read-store');
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new AdminConfigError(
      `createAdminServer: expected \`port\` to be an integer from 0 to 65535, got ${port}`,
    );
  }
  if (options.token !== undefined && !TOKEN_PATTERN.test(options.token)) {
    throw new AdminConfigError(
      'createAdminServer: expected `token` to be 16 to 512 characters of A-Z a-z 0-9 . _ ~ - (for example `openssl rand -hex 24`)',
    );
  }
  if (!isLoopbackHost(host) && options.token === undefined) {
    throw new AdminConfigError(
      `createAdminServer: refusing to bind ${host} without a token: any machine that reaches it could read every event. ` +
        'Pass `token` (--token) or bind 127.0.0.1.',
    );
  }
}

function apiSegments(pathname: string): string[] {
  const raw = pathname.length > '/api/'.length ? pathname.slice('/api/'.length).split('/') : [];
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((segment) => {
    try {
      const decoded = decodeURIComponent(segment);
      if (decoded.length > 0) return decoded;
    } catch {}
    throw new HttpError(400, 'INVALID_REQUEST', `invalid path segment "${segment.slice(0, 40)}"`, [
      { path: 'path', message: 'expected non-empty, well-formed percent-encoded segments' },
    ]);
  });
}

/** `/?token=…`: a right token is kept in an HttpOnly cookie, and the token is taken out of the URL. */
function login(res: ServerResponse, url: URL, guard: AccessRules): void {
  const token = url.searchParams.get('token') ?? undefined;
  if (!guard.matches(token)) {
    sendError(res, new HttpError(401, 'UNAUTHORIZED', 'wrong token'));
    return;
  }
  url.searchParams.delete('token');
  res.writeHead(303, {
    Location: `${url.pathname}${url.search}`,
    'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    'Cache-Control': 'no-store',
  });
  res.end();
}
