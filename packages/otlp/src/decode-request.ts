import { OTLP_ERROR_CODES, OtlpError } from './errors.js';
import { fromHex } from './internal/hex.js';
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

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'] as const;

/** OTLP/JSON writes ids as hex (not protobuf-JSON's base64): turn them into bytes in place. */
function hexIdsToBytes(request: object, signal: OtlpSignal): void {
  const groups = (request as Record<string, unknown>)[signal === 'traces' ? 'resourceSpans' : 'resourceLogs'];
  if (!Array.isArray(groups)) return;
  const scopesKey = signal === 'traces' ? 'scopeSpans' : 'scopeLogs';
  const itemsKey = signal === 'traces' ? 'spans' : 'logRecords';
  for (const group of groups) {
    for (const scope of arrayAt(group, scopesKey)) {
      for (const item of arrayAt(scope, itemsKey)) {
        convertIds(item);
        for (const link of arrayAt(item, 'links')) convertIds(link);
      }
    }
  }
}

function arrayAt(value: unknown, key: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const inner = (value as Record<string, unknown>)[key];
  return Array.isArray(inner) ? inner : [];
}

function convertIds(item: unknown): void {
  if (typeof item !== 'object' || item === null) return;
  const record = item as Record<string, unknown>;
  for (const field of ID_FIELDS) {
    const id = record[field];
    if (typeof id !== 'string') continue;
    const bytes = fromHex(id);
    if (bytes === undefined) throw malformed(`${field} "${id.slice(0, 64)}" is not hex`);
    record[field] = bytes;
  }
}
