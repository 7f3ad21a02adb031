import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Observability } from '@obs/core';
import {
  encodeOtlpStatus,
  ingestOtlp,
  OTLP_CONTENT_TYPES,
  OTLP_ERROR_CODES,
  OtlpError,
  type OtlpSignal,
  rpcCodeOfHttpStatus,
} from '@obs/otlp';
import { HttpError } from './http-error.js';
import { readRawBody, tooLarge } from './read-body.js';

const gunzipAsync = promisify(gunzip);

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const OTLP_PATHS = new Set(['/v1/traces', '/v1/logs']);

/** True for the OTLP/HTTP routes, whose error answers are `google.rpc.Status` messages. */
export const isOtlpPath = (path: string): boolean => OTLP_PATHS.has(path);

/**
 * Answers an OTLP request with an error status and a `google.rpc.Status` body (gRPC code from the
 * HTTP status, the failure's message): protobuf for a protobuf request, JSON for any other.
 */
export function sendOtlpError(request: IncomingMessage, response: ServerResponse, failure: HttpError): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const answer = encodeOtlpStatus(
    { code: rpcCodeOfHttpStatus(failure.status), message: `${failure.code}: ${failure.message}` },
    type === OTLP_CONTENT_TYPES.protobuf ? 'protobuf' : 'json',
  );
  response.writeHead(failure.status, {
    'content-type': answer.contentType,
    'content-length': answer.body.byteLength,
    'cache-control': 'no-store',
  });
  response.end(answer.body);
}

/**
 * `POST /v1/traces` and `POST /v1/logs` (OTLP/HTTP): protobuf or JSON, `Content-Encoding: gzip`,
 * the body limit applied before and after decompression (413), partial success for invalid spans,
 * and 503 with `Retry-After` (retryable in OTLP) when a sink could not store the batch.
 */
export function createOtlpHandlers(obs: Observability, maxBodyBytes: number): Record<OtlpSignal, Handler> {
  const handler =
    (signal: OtlpSignal): Handler =>
    async (request, response) => {
      const raw = await readRawBody(request, maxBodyBytes);
      const body = await decompress(raw, request.headers['content-encoding'], maxBodyBytes);
      await obs.ready();
      let result: Awaited<ReturnType<typeof ingestOtlp>>;
      try {
        result = await ingestOtlp(obs, signal, body, request.headers['content-type']);
      } catch (error) {
        throw toHttpError(error);
      }
      response.writeHead(200, {
        'content-type': result.response.contentType,
        'content-length': result.response.body.byteLength,
        'cache-control': 'no-store',
      });
      response.end(result.response.body);
    };
  return { traces: handler('traces'), logs: handler('logs') };
}

async function decompress(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return body;
  if (coding !== 'gzip') {
    throw new HttpError(
      415,
      'UNSUPPORTED_ENCODING',
      `content-encoding "${coding}" is not accepted; expected gzip or none`,
    );
  }
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new HttpError(400, 'INVALID_GZIP', `the body is not valid gzip: ${(error as Error).message}`);
  }
}

function toHttpError(error: unknown): unknown {
  if (!(error instanceof OtlpError)) return error;
  switch (error.code) {
    case OTLP_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE:
      return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', error.message);
    case OTLP_ERROR_CODES.NOT_STORED:
      return new HttpError(503, 'NOT_STORED', error.message, { headers: { 'retry-after': '1' } });
    default:
      return new HttpError(400, 'INVALID_OTLP', error.message);
  }
}
