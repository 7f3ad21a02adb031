import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { ApiResult } from './api-routes.js';
import type { HttpError } from './http-error.js';

const GZIP_MIN_BYTES = 16 * 1024;

/** Sends a JSON body (gzipped when large and the client accepts it; a 10k-event tree shrinks ~10x). */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  const gzip = text.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const payload = gzip ? gzipSync(text, { level: 1 }) : text;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': payload.length,
    'Cache-Control': 'no-store',
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : payload);
}

/** Sends `{ error: { code, message, issues } }` with the error's status. */
export function sendError(res: ServerResponse, error: HttpError): void {
  const text = JSON.stringify(error.toBody());
  res.writeHead(error.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Streams an export as a download, pausing while the socket's buffer is full. */
export async function sendStream(
  req: IncomingMessage,
  res: ServerResponse,
  result: Extract<ApiResult, { kind: 'stream' }>,
): Promise<void> {
  const iterator = result.chunks[Symbol.asyncIterator]();
  // The first chunk is read before the headers go out, so a bad filter still gets its 400.
  const first = await iterator.next();
  res.writeHead(200, {
    'Content-Type': result.contentType,
    'Content-Disposition': `attachment; filename="${result.fileName}"`,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    await iterator.return?.();
    res.end();
    return;
  }
  let step = first;
  while (!step.done) {
    if (res.destroyed) {
      await iterator.return?.();
      return;
    }
    if (!res.write(step.value)) await drained(res);
    step = await iterator.next();
  }
  res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
