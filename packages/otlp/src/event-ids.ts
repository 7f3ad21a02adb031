import { createHash } from 'node:crypto';

/** Roles of the events one span becomes: its own event, the `tool.result` of a tool span, then its span events. */
export const SPAN_ROLE = { primary: 0, result: 1, firstEvent: 2 } as const;
/** Span events past this many on one span are not mapped (OpenTelemetry SDKs keep 128 by default). */
export const MAX_EVENTS_PER_SPAN = 1_000;

/**
 * The event id of a span, UUIDv7-shaped and derived from the trace and span ids alone, so a batch
 * sent twice maps to the same ids (stores skip an event_id they hold) and a child finds its parent's
 * id without seeing the parent. Layout: the first 48 bits of the trace id (ids of one trace sort
 * together), version 7, the role (10 bits) and the span id's top 2 bits, variant, the span id's other
 * 62 bits: distinct spans of a trace, and roles of a span, never share an id.
 */
export function spanEventId(traceHex: string, spanHex: string, role = 0): string {
  const top = Number.parseInt(spanHex[0]!, 16);
  const group3 = ((role << 2) | (top >> 2)).toString(16).padStart(3, '0');
  const variant = (0b1000 | (top & 0b11)).toString(16);
  return `${traceHex.slice(0, 8)}-${traceHex.slice(8, 12)}-7${group3}-${variant}${spanHex.slice(1, 4)}-${spanHex.slice(4, 16)}`;
}

/**
 * The event id of a log record: its millisecond time (a real UUIDv7 timestamp), then 74 bits of a
 * SHA-256 of everything that identifies the record, so the same record sent twice has the same id.
 */
export function logEventId(ms: number, identity: string): string {
  const digest = createHash('sha256').update(identity).digest('hex');
  const clamped = Math.max(0, Math.min(ms, 2 ** 48 - 1));
  const time = Math.floor(clamped).toString(16).padStart(12, '0');
  const variant = (0b1000 | (Number.parseInt(digest[3]!, 16) & 0b11)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${digest.slice(0, 3)}-${variant}${digest.slice(4, 7)}-${digest.slice(7, 19)}`;
}
