import type { AuditLevel, Envelope, EventStatus } from '@obs/core';
import { type SummaryEvent, summaryPayload } from '@obs/core/sqlite-schema';

/**
 * What the writer needs of one event: the stored columns (names not yet turned into keys) and what
 * the run and session summaries read (of the payload, only the few figures they use).
 */
export interface EventRow extends SummaryEvent {
  readonly event_id: string;
  readonly ts: number;
  readonly run_id: string;
  readonly parent_event_id: string | null;
  readonly audit_level: AuditLevel;
  readonly status: EventStatus | null;
  readonly json: string;
}

const NO_PAYLOAD: Record<string, unknown> = Object.freeze({});

/** The row of an event and its canonical text; an `EventRecord` fits. */
export function toEventRow(record: { readonly envelope: Envelope; readonly json: string }): EventRow {
  const e = record.envelope;
  return {
    event_id: e.event_id,
    event_type: e.event_type,
    ts: Date.parse(e.timestamp),
    source: e.source,
    run_id: e.run_id,
    session_id: e.session_id,
    turn_number: e.turn_number,
    parent_event_id: e.parent_event_id,
    audit_level: e.audit_level,
    status: e.status,
    duration_ms: e.duration_ms,
    payload: summaryPayload(e) ?? NO_PAYLOAD,
    json: record.json,
  };
}
