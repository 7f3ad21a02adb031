import type { OtlpSignal } from '../decode-request.js';
import { OTLP_ERROR_CODES, OtlpError } from '../errors.js';
import { fromHex } from './hex.js';

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'] as const;

/**
 * OTLP/JSON writes ids as hex (not protobuf-JSON's base64): turns them into bytes in place, so
 * protobufjs's `fromObject` reads them. Throws `OTLP_MALFORMED` for an id that is not hex.
 */
export function hexIdsToBytes(request: object, signal: OtlpSignal): void {
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
    if (bytes === undefined) {
      throw new OtlpError(OTLP_ERROR_CODES.MALFORMED, `${field} "${id.slice(0, 64)}" is not hex`);
    }
    record[field] = bytes;
  }
}
