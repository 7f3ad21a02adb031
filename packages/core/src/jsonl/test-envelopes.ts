import { serializeEnvelope } from '../canonical-json.js';
import type { Envelope } from '../envelope.js';
import { uuidv7 } from '../uuidv7.js';

/** A valid envelope for reader tests. */
export function envelope(seq: number, overrides: Partial<Envelope> = {}): Envelope {
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

/** `\n`-terminated canonical lines of envelopes with these sequence numbers. */
export function lines(...seqs: number[]): string {
  return seqs.map((seq) => `${serializeEnvelope(envelope(seq))}\n`).join('');
}
