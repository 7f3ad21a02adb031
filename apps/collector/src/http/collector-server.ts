import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Observability, ObsValidationError } from '@obs/core';
import type { LiveStatsSink } from '../live-stats.js';
import { createAccessCheck } from './auth.js';
import { HttpError } from './http-error.js';
import { createOtlpHandlers, isOtlpPath, sendOtlpError } from './otlp-routes.js';
import { parseEvents } from './parse-events.js';
import { declaredTooLarge, readBody, tooLarge } from './read-body.js';

/** Triggers a backup now; the collector answers 409 while one runs. */
export interface BackupTrigger {
  isRunning(): boolean;
  runNow(): Promise<unknown>;
}

/** Options of {@link createCollectorServer}. */
export interface CollectorServerOptions {
  obs: Observability;
  /** Live counters fed by the pipeline (see `createLiveStatsSink`). */
  liveStats: LiveStatsSink;
  /** When set, every request but `GET /health` needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Largest accepted body (default 8 MiB). */
  maxBodyBytes?: number;
  /** Most events in one request (default 10 000). */
  maxEventsPerRequest?: number;
  backups?: BackupTrigger | undefined;
}

/** The collector's HTTP server; `close()` stops accepting, waits for requests in flight, then resolves. */
export interface CollectorServer {
  readonly server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Creates the HTTP ingest server: `POST /v1/events`, OTLP/HTTP `POST /v1/traces` and `POST /v1/logs`,
 * `GET /health`, `GET /v1/stats`, `POST /v1/backups`.
 */
export function createCollectorServer(options: CollectorServerOptions): CollectorServer {
  const { obs, liveStats, token } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const maxEvents = options.maxEventsPerRequest ?? 10_000;
  const assertAccess = createAccessCheck(token);

  const postEvents: Handler = async (request, response) => {
    const body = await readBody(request, maxBodyBytes);
    const inputs = parseEvents(request.headers['content-type'], body, maxEvents);
    await obs.ready();
    let delivery: Awaited<ReturnType<Observability['deliver']>>;
    try {
      delivery = await obs.deliver(inputs);
    } catch (error) {
      if (error instanceof ObsValidationError) {
        throw new HttpError(400, 'INVALID_EVENTS', error.message, { issues: error.issues });
      }
      throw error;
    }
    const { envelopes, undelivered } = delivery;
    if (undelivered.length > 0) {
      throw new HttpError(
        503,
        'NOT_STORED',
        `${undelivered.length} of ${envelopes.length} events could not be stored (a sink is overloaded or failing); ` +
          'retry the request with the event_id values listed here so stored events are not duplicated',
        {
          headers: { 'retry-after': '1' },
          details: {
            event_ids: envelopes.map((e) => e.event_id),
            undelivered_ids: undelivered.map((e) => e.event_id),
          },
        },
      );
    }
    sendJson(response, 200, { accepted: envelopes.length, event_ids: envelopes.map((e) => e.event_id) });
  };

  const health: Handler = async (_request, response) => {
    const sinks = obs
      .stats()
      .sinks.map((s) => ({ name: s.name, ok: s.health.ok, detail: s.health.detail ?? s.last_error }));
    const ok = sinks.every((s) => s.ok);
    sendJson(response, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', sinks });
  };

  const stats: Handler = async (_request, response) => {
    const service = obs.stats();
    sendJson(response, 200, { ...liveStats.snapshot(), pipeline: service });
  };

  const backup: Handler = async (_request, response) => {
    const backups = options.backups;
    if (backups === undefined)
      throw new HttpError(
        404,
        'BACKUPS_DISABLED',
        'backups are not configured on this collector (set OBS_BACKUP_BUCKET)',
      );
    if (backups.isRunning())
      throw new HttpError(
        409,
        'BACKUP_RUNNING',
        'a backup is already running; try again when it has finished',
      );
    let result: unknown;
    try {
      result = await backups.runNow();
    } catch (error) {
      throw new HttpError(502, 'BACKUP_FAILED', (error as Error).message);
    }
    sendJson(response, 200, { backup: result });
  };

  const otlp = createOtlpHandlers(obs, maxBodyBytes);
  const routes: Record<string, Partial<Record<string, Handler>>> = {
    '/v1/events': { POST: postEvents },
    '/v1/traces': { POST: otlp.traces },
    '/v1/logs': { POST: otlp.logs },
    '/health': { GET: health },
    '/v1/stats': { GET: stats },
    '/v1/backups': { POST: backup },
  };

  const inFlight = new Set<Promise<void>>();
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const done = handle(request, response).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const server = createServer(onRequest);
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!declaredTooLarge(request, maxBodyBytes)) {
      response.writeContinue();
      onRequest(request, response);
      return;
    }
    response.setHeader('connection', 'close');
    sendError(request, response, tooLarge(maxBodyBytes));
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = pathOf(request);
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (route === undefined)
        throw new HttpError(404, 'NOT_FOUND', `no route ${path}; see the collector README`);
      const handler = route[request.method ?? 'GET'];
      if (handler === undefined) {
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}`, {
          headers: { allow: Object.keys(route).join(', ') },
        });
      }
      assertAccess(request, path);
      await handler(request, response);
    } catch (error) {
      const failure =
        error instanceof HttpError
          ? error
          : new HttpError(500, 'INTERNAL', 'the collector failed to handle the request');
      if (!response.headersSent) {
        for (const [name, value] of Object.entries(failure.headers)) response.setHeader(name, value);
        if (failure.status === 413) response.setHeader('connection', 'close');
        sendError(request, response, failure);
      } else response.end();
    }
  }

  return {
    server,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The request's path: its target as it stands when it is a plain path, else as a URL resolves it. */
function pathOf(request: IncomingMessage): string {
  const target = request.url ?? '/';
  return PLAIN_PATH.test(target) ? target : new URL(target, 'http://collector').pathname;
}

/** A target a URL leaves unchanged as its path: `/`, letters, digits, `-`, `_`, no empty or dot segment. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-]+)+$|^\/$/;

/** The error answer: a `google.rpc.Status` on the OTLP routes (as OTLP/HTTP says), else the collector's JSON. */
function sendError(request: IncomingMessage, response: ServerResponse, failure: HttpError): void {
  if (isOtlpPath(pathOf(request))) sendOtlpError(request, response, failure);
  else sendJson(response, failure.status, failure.toJSON());
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}
