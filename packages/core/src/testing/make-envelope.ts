import type { Envelope } from '../envelope.js';
import { EventRecord } from '../event-record.js';
import { uuidv7 } from '../uuidv7.js';

/**
 * A valid `log` envelope for tests: `seq` sets the sequence and a timestamp `seq` ms after
 * 2026-01-02T03:04:05Z; `overrides` replace any field.
 */
export function makeEnvelope(seq: number, overrides: Partial<Envelope> = {}): Envelope {
  const millis = Date.UTC(2026, 0, 2, 3, 4, 5) + seq;
  return {
    schema_version: 1,
    event_id: uuidv7(millis),
    event_type: 'log',
    timestamp: new Date(millis).toISOString(),
    seq,
    source: 'test',
    run_id: 'run-1',
    request_id: null,
    cycle: null,
    session_id: null,
    turn_number: null,
    parent_event_id: null,
    audit_level: 'turn',
    status: null,
    duration_ms: null,
    payload: { level: 'info', message: `event ${seq}` },
    ...overrides,
  };
}

/** {@link makeEnvelope} wrapped as the record a sink's `write` receives. */
export function makeRecord(seq: number, overrides: Partial<Envelope> = {}): EventRecord {
  return new EventRecord(makeEnvelope(seq, overrides));
}
