import { OTLP_ERROR_CODES, OtlpError } from './errors.js';
import { hexIdsToBytes } from './internal/hex-ids.js';
import type { LogsRequestMessage, TraceRequestMessage } from './internal/otlp-message.js';
import { OtlpTypes } from './internal/otlp-proto.js';

/** The two OTLP/HTTP body encodings. */
export type OtlpFormat = 'protobuf' | 'json';
/** The OTLP signals obs ingests. */
export type OtlpSignal = 'traces' | 'logs';

/** Content types of OTLP/HTTP, by format. */
export const OTLP_CONTENT_TYPES = { protobuf: 'application/x-protobuf', json: 'application/json' } as const;

/** The format of a `Content-Type` header; throws `OTLP_UNSUPPORTED_MEDIA_TYPE` for any other type. */
export function otlpFormatOf(contentType: string | undefined): OtlpFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === OTLP_CONTENT_TYPES.protobuf) return 'protobuf';
  if (type === OTLP_CONTENT_TYPES.json) return 'json';
  throw new OtlpError(
    OTLP_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
    `content-type "${type || '(none)'}" is not OTLP; expected application/x-protobuf or application/json`,
  );
}

/** Decodes an `ExportTraceServiceRequest`; throws `OTLP_MALFORMED` naming what is wrong. */
export function decodeTraceRequest(body: Uint8Array, format: OtlpFormat): TraceRequestMessage {
  return decode('traces', body, format) as TraceRequestMessage;
}

/** Decodes an `ExportLogsServiceRequest`; throws `OTLP_MALFORMED` naming what is wrong. */
export function decodeLogsRequest(body: Uint8Array, format: OtlpFormat): LogsRequestMessage {
  return decode('logs', body, format) as LogsRequestMessage;
}

function decode(signal: OtlpSignal, body: Uint8Array, format: OtlpFormat): unknown {
  const type = signal === 'traces' ? OtlpTypes.traceRequest : OtlpTypes.logsRequest;
  if (format === 'protobuf') {
    try {
      return type.decode(body);
    } catch (error) {
      throw malformed(`the body is not a protobuf ${type.name}: ${(error as Error).message}`, error);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    throw malformed(`the body is not valid JSON: ${(error as Error).message}`, error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed(
      `expected a JSON object (an OTLP ${type.name}), got ${Array.isArray(json) ? 'an array' : typeof json}`,
    );
  }
  hexIdsToBytes(json, signal);
  try {
    return type.fromObject(json);
  } catch (error) {
    throw malformed(`the JSON is not an OTLP ${type.name}: ${(error as Error).message}`, error);
  }
}

const malformed = (message: string, cause?: unknown) =>
  new OtlpError(OTLP_ERROR_CODES.MALFORMED, message, cause === undefined ? undefined : { cause });
