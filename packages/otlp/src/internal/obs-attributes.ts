import { AUDIT_LEVELS, type AuditLevel, type EventStatus, UUID_V7_PATTERN } from '@obs/core';
import type { Attributes } from './attributes.js';

/** Attribute names the OTLP sink writes so that obs → OTLP → obs gives back the same events. */
export const OBS_ATTRIBUTES = {
  eventId: 'obs.event_id',
  eventType: 'obs.event_type',
  payload: 'obs.payload',
  runId: 'obs.run_id',
  parentEventId: 'obs.parent_event_id',
  requestId: 'obs.request_id',
  cycle: 'obs.cycle',
  turnNumber: 'obs.turn_number',
  auditLevel: 'obs.audit_level',
  status: 'obs.status',
  durationMs: 'obs.duration_ms',
  seq: 'obs.seq',
  sessionId: 'obs.session_id',
} as const;

/** The attributes (`obs.result.*`) that carry the `tool.result` of a tool span exported with its call. */
export const OBS_RESULT_ATTRIBUTES = Object.fromEntries(
  Object.entries(OBS_ATTRIBUTES).map(([field, key]) => [field, `obs.result.${key.slice('obs.'.length)}`]),
) as { readonly [F in keyof typeof OBS_ATTRIBUTES]: string };

/** The fields of an obs event carried in `obs.*` attributes. */
export interface ObsEventFields {
  event_type: string;
  payload: Record<string, unknown>;
  event_id?: string;
  parent_event_id?: string | null;
  request_id?: string | null;
  session_id?: string | null;
  seq?: number;
  cycle?: number | null;
  turn_number?: number | null;
  audit_level?: AuditLevel;
  status?: EventStatus | null;
  duration_ms?: number | null;
}

/**
 * The obs event a span or log record carries (written by the OTLP sink), or undefined; with
 * `result`, the `tool.result` a tool span carries in `obs.result.*` next to its call.
 */
export function obsEventFromAttributes(attrs: Attributes, result = false): ObsEventFields | undefined {
  const a = result ? OBS_RESULT_ATTRIBUTES : OBS_ATTRIBUTES;
  const type = attrs[a.eventType];
  const text = attrs[a.payload];
  if (typeof type !== 'string' || typeof text !== 'string') return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const out: ObsEventFields = { event_type: type, payload: payload as Record<string, unknown> };
  const id = attrs[a.eventId];
  if (typeof id === 'string' && UUID_V7_PATTERN.test(id)) out.event_id = id;
  const parent = attrs[a.parentEventId];
  if (typeof parent === 'string') out.parent_event_id = parent || null;
  const request = attrs[a.requestId];
  if (typeof request === 'string') out.request_id = request;
  const seq = attrs[a.seq];
  if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) out.seq = seq;
  const session = attrs[a.sessionId];
  if (typeof session === 'string') out.session_id = session;
  const cycle = attrs[a.cycle];
  if (typeof cycle === 'number') out.cycle = cycle;
  const turn = attrs[a.turnNumber];
  if (typeof turn === 'number') out.turn_number = turn;
  const level = attrs[a.auditLevel];
  if (typeof level === 'string' && (AUDIT_LEVELS as readonly string[]).includes(level))
    out.audit_level = level as AuditLevel;
  const status = attrs[a.status];
  if (status === 'ok' || status === 'error') out.status = status;
  else if (status === 'none') out.status = null;
  const duration = attrs[a.durationMs];
  out.duration_ms = typeof duration === 'number' ? duration : null;
  return out;
}
