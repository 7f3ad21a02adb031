import type { BuiltinPayloads } from './catalog.js';
import { currentContext, type ObsContext, withContext } from './context.js';
import { assertValidEmitOptions } from './context-schema.js';
import { type DiagLogger, report, silentLogger } from './diag.js';
import { type AuditLevel, type Envelope, type EventStatus, SCHEMA_VERSION } from './envelope.js';
import { EnvelopeInputSchema } from './envelope-input.js';
import { OBS_ERROR_CODES, ObsError, ObsValidationError, toError, type ValidationIssue } from './errors.js';
import { EventRecord } from './event-record.js';
import type { EventType, PayloadsOf } from './event-type.js';
import { installExitHooks } from './exit-hooks.js';
import { PayloadGuard, type PayloadGuardOptions } from './payload-guard.js';
import { EventRegistry } from './registry.js';
import { type Route, Router } from './router.js';
import type { Sink } from './sink.js';
import { type QueueOptions, SinkChannel, type SinkStats } from './sink-channel.js';
import type { SpanOptions } from './span.js';
import { uuidv7 } from './uuidv7.js';
import { fromZodIssues } from './zod-issues.js';

/** A sink with its route and queue settings. */
export interface SinkBinding {
  sink: Sink;
  route?: Route;
  queue?: QueueOptions;
}

/** Options of {@link createObservability}. */
export interface ObservabilityOptions<Types extends readonly EventType[] = readonly []> {
  /** The emitting service or agent; stats group by it. */
  source: string;
  /** Where events go: a sink receives every event unless bound with a `route`. */
  sinks: readonly (Sink | SinkBinding)[];
  /** Application event types, added to the built-in catalog. */
  eventTypes?: Types;
  /** Queue defaults for every sink; a sink's own `queueDefaults`, then a binding's `queue`, override them. */
  queue?: QueueOptions;
  /** Secret redaction and payload size limit. */
  redaction?: PayloadGuardOptions;
  /** `run_id` for events emitted outside any context (otherwise such an emit throws). */
  defaultRunId?: string;
  /** Audit level of events that do not set one (default `turn`). */
  defaultAuditLevel?: AuditLevel;
  /** obs's own diagnostics; silent by default. */
  logger?: DiagLogger;
  /** Called with every sink error (after it is counted); must not throw, and is guarded if it does. */
  onError?: (error: Error, sink: string) => void;
  /** Flush on `beforeExit` and shut down on SIGTERM/SIGINT before the signal's default action. */
  exitHooks?: boolean;
  /** Milliseconds since the epoch; for tests. */
  clock?: () => number;
}

/** Per-event fields an `emit` may set; context fields override the surrounding `withContext`. */
export interface EmitOptions extends ObsContext {
  audit_level?: AuditLevel;
  status?: EventStatus | null;
  duration_ms?: number | null;
  /** A UUIDv7 made by the caller, for events it must refer to before emitting them. */
  event_id?: string;
  timestamp?: Date | number;
}

/** Counters of the service and of each sink. */
export interface ObservabilityStats {
  source: string;
  emitted: number;
  rejected: number;
  redacted: number;
  truncated: number;
  unrouted: number;
  dropped: number;
  failed: number;
  queued: number;
  sinks: SinkStats[];
}

/** The service an application emits through. */
export interface Observability<P extends object = BuiltinPayloads> {
  readonly source: string;
  readonly registry: EventRegistry;
  /** Validates, enriches, redacts and enqueues an event; never waits on I/O. Returns the envelope. */
  emit<K extends keyof P & string>(type: K, payload: P[K], options?: EmitOptions): Envelope;
  /** `emit`, then waits while a `block`-policy sink is full. */
  emitAsync<K extends keyof P & string>(type: K, payload: P[K], options?: EmitOptions): Promise<Envelope>;
  /** Accepts an envelope from another process (see `EnvelopeInputSchema`); throws `ObsValidationError`. */
  ingest(input: unknown): Envelope;
  /** Validates every input first; enqueues all or none. Issue paths start with the input's index. */
  ingestBatch(inputs: readonly unknown[]): Envelope[];
  /** Times `fn` as a `span` event; events inside hang under it; errors are recorded and rethrown. */
  span<T>(name: string, fn: () => T | Promise<T>, options?: SpanOptions<T>): Promise<T>;
  withContext<T>(context: ObsContext, fn: () => T): T;
  currentContext(): Readonly<ObsContext>;
  /** Resolves when no `block`-policy sink is full. */
  ready(): Promise<void>;
  /** Resolves when every event accepted so far has been written by its sinks. */
  flush(): Promise<void>;
  /** Flushes and closes every sink; later emits throw. Idempotent. */
  shutdown(): Promise<void>;
  stats(): ObservabilityStats;
}

/** Creates the service: `createObservability({ source: 'agent', sinks: [sink] })`. */
export function createObservability<const Types extends readonly EventType[] = readonly []>(
  options: ObservabilityOptions<Types>,
): Observability<BuiltinPayloads & PayloadsOf<Types>> {
  return new ObservabilityService(options) as unknown as Observability<BuiltinPayloads & PayloadsOf<Types>>;
}

class ObservabilityService implements Observability<Record<string, Record<string, unknown>>> {
  readonly source: string;
  readonly registry: EventRegistry;
  readonly #channels: SinkChannel[];
  readonly #router: Router<SinkChannel>;
  readonly #guard: PayloadGuard;
  readonly #logger: DiagLogger;
  readonly #clock: () => number;
  readonly #defaultRunId: string | undefined;
  readonly #defaultAuditLevel: AuditLevel;
  #seq = 0;
  #emitted = 0;
  #rejected = 0;
  #redacted = 0;
  #truncated = 0;
  #unrouted = 0;
  #shutdown: Promise<void> | undefined;
  #removeExitHooks: (() => void) | undefined;

  constructor(options: ObservabilityOptions<readonly EventType[]>) {
    if (typeof options.source !== 'string' || options.source.length === 0) {
      throw new ObsValidationError('observability options', [
        { path: 'source', message: 'expected a non-empty string' },
      ]);
    }
    this.source = options.source;
    this.registry = new EventRegistry(options.eventTypes ?? []);
    this.#guard = new PayloadGuard(options.redaction);
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? Date.now;
    this.#defaultRunId = options.defaultRunId;
    this.#defaultAuditLevel = options.defaultAuditLevel ?? 'turn';
    const bindings = options.sinks.map((s): SinkBinding => (isBinding(s) ? s : { sink: s }));
    const names = new Set<string>();
    for (const { sink } of bindings) {
      if (names.has(sink.name))
        throw new ObsValidationError('observability options', [
          { path: 'sinks', message: `two sinks are named "${sink.name}"` },
        ]);
      names.add(sink.name);
    }
    const onError = options.onError ?? (() => {});
    this.#channels = bindings.map(
      (b) =>
        new SinkChannel(
          b.sink,
          { ...options.queue, ...b.sink.queueDefaults, ...b.queue },
          this.#logger,
          (error) => onError(error, b.sink.name),
        ),
    );
    this.#router = new Router(
      bindings.map((b, i) => ({ target: this.#channels[i]!, route: b.route })),
      (error) => report(this.#logger, 'warn', `a route predicate threw: ${toError(error).message}`),
    );
    if (options.exitHooks) this.#removeExitHooks = installExitHooks(this);
  }

  emit(type: string, payload: Record<string, unknown>, options?: EmitOptions): Envelope {
    if (options !== undefined) {
      this.#assertOpen();
      try {
        assertValidEmitOptions(options);
      } catch (error) {
        this.#rejected++;
        throw error;
      }
    }
    return this.#emit(type, payload, options);
  }

  async emitAsync(type: string, payload: Record<string, unknown>, options?: EmitOptions): Promise<Envelope> {
    const envelope = this.emit(type, payload, options);
    await this.ready();
    return envelope;
  }

  ingest(input: unknown): Envelope {
    return this.ingestBatch([input])[0]!;
  }

  ingestBatch(inputs: readonly unknown[]): Envelope[] {
    this.#assertOpen();
    const issues: ValidationIssue[] = [];
    const envelopes: Envelope[] = [];
    inputs.forEach((input, index) => {
      const prefix = inputs.length === 1 ? '' : `[${index}]`;
      const parsed = EnvelopeInputSchema.safeParse(input);
      if (!parsed.success) {
        issues.push(...fromZodIssues(parsed.error.issues, prefix));
        return;
      }
      const { payload, event_type, ...fields } = parsed.data;
      try {
        const guarded = this.#guardPayload(this.registry.parsePayload(event_type, payload));
        envelopes.push(this.#envelope(event_type, guarded, fields, fields.source ?? this.source));
      } catch (error) {
        if (!(error instanceof ObsValidationError)) throw error;
        issues.push(...error.issues.map((i) => ({ ...i, path: prefix ? `${prefix}.${i.path}` : i.path })));
      }
    });
    if (issues.length > 0) {
      this.#rejected += inputs.length;
      throw new ObsValidationError(
        inputs.length === 1 ? 'event' : `batch of ${inputs.length} events`,
        issues,
      );
    }
    for (const envelope of envelopes) this.#dispatch(envelope);
    return envelopes;
  }

  async span<T>(name: string, fn: () => T | Promise<T>, options: SpanOptions<T> = {}): Promise<T> {
    this.#assertOpen();
    const startedAt = this.#clock();
    const started = performance.now();
    const spanId = uuidv7(startedAt);
    const outer = currentContext();
    const finish = (status: EventStatus, extra: Record<string, unknown>) => {
      const payload: Record<string, unknown> = { operation: name, ...extra };
      if (options.component !== undefined) payload['component'] = options.component;
      if (options.layer !== undefined) payload['layer'] = options.layer;
      if (options.input_summary !== undefined) payload['input_summary'] = options.input_summary;
      try {
        this.#emit('span', payload, {
          event_id: spanId,
          timestamp: startedAt,
          parent_event_id: outer.parent_event_id ?? null,
          status,
          duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
          ...(options.audit_level ? { audit_level: options.audit_level } : {}),
        });
      } catch (error) {
        report(this.#logger, 'warn', `span "${name}" could not be recorded: ${toError(error).message}`);
      }
    };
    return withContext({ parent_event_id: spanId }, async () => {
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        const err = toError(error);
        finish('error', {
          error: { message: err.message, ...(err.stack ? { stack: err.stack } : {}), type: err.name },
        });
        throw error;
      }
      const extra: Record<string, unknown> = {};
      if (options.summarize) {
        try {
          extra['output_summary'] = String(options.summarize(result));
        } catch {
          // a failing summary must not fail the work it describes
        }
      }
      finish('ok', extra);
      return result;
    });
  }

  withContext<T>(context: ObsContext, fn: () => T): T {
    return withContext(context, fn);
  }

  currentContext(): Readonly<ObsContext> {
    return currentContext();
  }

  async ready(): Promise<void> {
    await Promise.all(this.#channels.map((c) => c.whenWritable()));
  }

  async flush(): Promise<void> {
    await Promise.all(this.#channels.map((c) => c.flush()));
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#removeExitHooks?.();
      await Promise.all(this.#channels.map((c) => c.close()));
    })();
    return this.#shutdown;
  }

  stats(): ObservabilityStats {
    const sinks = this.#channels.map((c) => c.stats());
    const sum = (key: 'dropped' | 'failed' | 'queued') => sinks.reduce((n, s) => n + s[key], 0);
    return {
      source: this.source,
      emitted: this.#emitted,
      rejected: this.#rejected,
      redacted: this.#redacted,
      truncated: this.#truncated,
      unrouted: this.#unrouted,
      dropped: sum('dropped'),
      failed: sum('failed'),
      queued: sum('queued'),
      sinks,
    };
  }

  #emit(type: string, payload: Record<string, unknown>, options: EmitOptions | undefined): Envelope {
    this.#assertOpen();
    let envelope: Envelope;
    try {
      const guarded = this.#guardPayload(this.registry.parsePayload(type, payload));
      envelope = this.#envelope(type, guarded, options ?? NO_OPTIONS, this.source);
    } catch (error) {
      this.#rejected++;
      throw error;
    }
    this.#dispatch(envelope);
    return envelope;
  }

  #guardPayload(payload: Record<string, unknown>): Record<string, unknown> {
    const guarded = this.#guard.guard(payload);
    this.#redacted += guarded.redacted;
    this.#truncated += guarded.truncated;
    return guarded.payload;
  }

  #envelope(
    type: string,
    payload: Record<string, unknown>,
    fields: EnvelopeFields,
    source: string,
  ): Envelope {
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
    return {
      schema_version: SCHEMA_VERSION,
      event_id: fields.event_id ?? uuidv7(millis),
      event_type: type,
      timestamp: typeof ts === 'string' ? ts : isoMillis(millis),
      seq: fields.seq ?? ++this.#seq,
      source,
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

  #dispatch(envelope: Envelope): void {
    this.#emitted++;
    const targets = this.#router.route(envelope);
    if (targets.length === 0) {
      this.#unrouted++;
      return;
    }
    const record = new EventRecord(envelope);
    for (let i = 0; i < targets.length; i++) targets[i]!.offer(record);
  }

  #assertOpen(): void {
    if (this.#shutdown !== undefined) {
      throw new ObsError(
        OBS_ERROR_CODES.SHUT_DOWN,
        `obs "${this.source}" is shut down: emit() after shutdown() is refused`,
      );
    }
  }
}

type EnvelopeFields = Omit<EmitOptions, 'timestamp'> & {
  seq?: number;
  timestamp?: Date | number | string;
  source?: string;
};

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

const isBinding = (value: Sink | SinkBinding): value is SinkBinding =>
  typeof (value as Partial<Sink>).write !== 'function';

const NO_OPTIONS: EnvelopeFields = Object.freeze({});

const pick = <T>(explicit: T | null | undefined, inherited: T | null | undefined): T | null =>
  explicit !== undefined ? explicit : (inherited ?? null);
