import type { ObsContext } from './context.js';
import { currentContext } from './context.js';
import { type AuditLevel, type Envelope, type EventStatus, SCHEMA_VERSION } from './envelope.js';
import { ObsValidationError } from './errors.js';
import { uuidv7 } from './uuidv7.js';

/** Per-event fields an `emit` may set; context fields override the surrounding `withContext`. */
export interface EmitOptions extends ObsContext {
  audit_level?: AuditLevel;
  status?: EventStatus | null;
  duration_ms?: number | null;
  /** A UUIDv7 made by the caller, for events it must refer to before emitting them. */
  event_id?: string;
  timestamp?: Date | number;
}

/** Fields an envelope is built from: emit options, or the fields of an ingested envelope. */
export type EnvelopeFields = Omit<EmitOptions, 'timestamp'> & {
  seq?: number;
  timestamp?: Date | number | string;
  source?: string;
};

/** Builds envelopes in canonical field order, enriched from the context, with ids, `seq` and timestamps. */
export class EnvelopeFactory {
  readonly #source: string;
  readonly #clock: () => number;
  readonly #defaultRunId: string | undefined;
  readonly #defaultAuditLevel: AuditLevel;
  #seq = 0;

  constructor(
    source: string,
    clock: () => number,
    defaultRunId: string | undefined,
    defaultAuditLevel: AuditLevel,
  ) {
    this.#source = source;
    this.#clock = clock;
    this.#defaultRunId = defaultRunId;
    this.#defaultAuditLevel = defaultAuditLevel;
  }

  /** Throws `ObsValidationError` when no `run_id` is given, in the context, or by default. */
  build(type: string, payload: Record<string, unknown>, fields: EnvelopeFields): Envelope {
    const ctx = currentContext();
    const runId = fields.run_id ?? ctx.run_id ?? this.#defaultRunId;
    if (runId === undefined) {
      throw new ObsValidationError('event', [
        { path: 'run_id', message: 'required: emit inside withContext({ run_id }) or pass options.run_id' },
      ]);
    }
    const ts = fields.timestamp;
    const millis =
      ts === undefined
        ? this.#clock()
        : typeof ts === 'number'
          ? ts
          : typeof ts === 'string'
            ? Date.parse(ts)
            : ts.getTime();
    // The literal's key order is the canonical field order; serialization relies on it.
    return {
      schema_version: SCHEMA_VERSION,
      event_id: fields.event_id ?? uuidv7(millis),
      event_type: type,
      timestamp: typeof ts === 'string' ? ts : isoMillis(millis),
      seq: fields.seq ?? ++this.#seq,
      source: fields.source ?? this.#source,
      run_id: runId,
      request_id: pick(fields.request_id, ctx.request_id),
      cycle: pick(fields.cycle, ctx.cycle),
      session_id: pick(fields.session_id, ctx.session_id),
      turn_number: pick(fields.turn_number, ctx.turn_number),
      parent_event_id: pick(fields.parent_event_id, ctx.parent_event_id),
      audit_level: fields.audit_level ?? this.#defaultAuditLevel,
      status: fields.status ?? null,
      duration_ms: fields.duration_ms ?? null,
      payload,
    };
  }
}

const pick = <T>(explicit: T | null | undefined, inherited: T | null | undefined): T | null =>
  explicit !== undefined ? explicit : (inherited ?? null);

let lastMillis = Number.NaN;
let lastIso = '';
/** `toISOString` with the last result cached: most events share their millisecond with the previous one. */
function isoMillis(millis: number): string {
  if (millis !== lastMillis) {
    lastMillis = millis;
    lastIso = new Date(millis).toISOString();
  }
  return lastIso;
}
