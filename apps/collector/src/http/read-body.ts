import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** Reads a request body up to `limit` bytes; past it, stops reading and throws a 413. */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

const tooLarge = (limit: number) =>
  new HttpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `request body exceeds ${limit} bytes; split the batch into smaller requests`,
  );
