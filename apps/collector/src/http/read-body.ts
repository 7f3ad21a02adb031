import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * How much of an oversized body is read and discarded before the 413 goes out: clients that send
 * the whole body before reading the answer (Python's urllib, most SDKs) then receive the 413
 * instead of a broken pipe. Past it the connection is cut.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads a request body up to `limit` bytes as UTF-8 text (see {@link readRawBody}). */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return (await readRawBody(request, limit)).toString('utf8');
}

/** Reads a request body up to `limit` bytes; past it, discards the rest (bounded) and throws a 413. */
export function readRawBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    let over = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (!over && size > limit) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(chunk);
      else if (size > limit + DISCARD_LIMIT_BYTES) {
        request.destroy();
        reject(tooLarge(limit));
      }
    });
    request.once('end', () => {
      if (over) reject(tooLarge(limit));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    request.once('error', reject);
  });
}

/** Whether a declared `Content-Length` is over the limit (answered before `100 Continue`). */
export function declaredTooLarge(request: IncomingMessage, limit: number): boolean {
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/** The 413 of a body over `limit` bytes. */
export const tooLarge = (limit: number) =>
  new HttpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `request body exceeds ${limit} bytes; split the batch into smaller requests`,
  );
