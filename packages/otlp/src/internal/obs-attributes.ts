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

/** The obs event a span or log record carries (written by the OTLP sink), or undefined. */
export function obsEventFromAttributes(attrs: Attributes): ObsEventFields | undefined {
  const type = attrs[OBS_ATTRIBUTES.eventType];
  const text = attrs[OBS_ATTRIBUTES.payload];
  if (typeof type !== 'string' || typeof text !== 'string') return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const out: ObsEventFields = { event_type: type, payload: payload as Record<string, unknown> };
  const id = attrs[OBS_ATTRIBUTES.eventId];
  if (typeof id === 'string' && UUID_V7_PATTERN.test(id)) out.event_id = id;
  const parent = attrs[OBS_ATTRIBUTES.parentEventId];
  if (typeof parent === 'string') out.parent_event_id = parent || null;
  const request = attrs[OBS_ATTRIBUTES.requestId];
  if (typeof request === 'string') out.request_id = request;
  const seq = attrs[OBS_ATTRIBUTES.seq];
  if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) out.seq = seq;
  const session = attrs[OBS_ATTRIBUTES.sessionId];
  if (typeof session === 'string') out.session_id = session;
  const cycle = attrs[OBS_ATTRIBUTES.cycle];
  if (typeof cycle === 'number') out.cycle = cycle;
  const turn = attrs[OBS_ATTRIBUTES.turnNumber];
  if (typeof turn === 'number') out.turn_number = turn;
  const level = attrs[OBS_ATTRIBUTES.auditLevel];
  if (typeof level === 'string' && (AUDIT_LEVELS as readonly string[]).includes(level))
    out.audit_level = level as AuditLevel;
  const status = attrs[OBS_ATTRIBUTES.status];
  if (status === 'ok' || status === 'error') out.status = status;
  else if (status === 'none') out.status = null;
  const duration = attrs[OBS_ATTRIBUTES.durationMs];
  out.duration_ms = typeof duration === 'number' ? duration : null;
  return out;
}
