import type { BuiltinPayloads } from './catalog.js';
import { currentContext, type ObsContext, withContext } from './context.js';
import { assertValidEmitOptions } from './context-schema.js';
import { type ComponentLogger, type DiagLogger, diag } from './diag.js';
import { DROP_EVENT_TYPE, type DropReport, DropReporter, parseDropReports } from './drop-reporter.js';
import type { AuditLevel, Envelope } from './envelope.js';
import { type EmitOptions, EnvelopeFactory } from './envelope-factory.js';
import { OBS_ERROR_CODES, ObsError, ObsValidationError, toError } from './errors.js';
import { EventRecord } from './event-record.js';
import type { EventType, PayloadsOf } from './event-type.js';
import { installExitHooks } from './exit-hooks.js';
import { buildIngested } from './ingest.js';
import { PayloadGuard, type PayloadGuardOptions } from './payload-guard.js';
import type { QueueOptions, SinkStats } from './queue-options.js';
import { EventRegistry } from './registry.js';
import { type Route, Router } from './router.js';
import type { Sink } from './sink.js';
import { SinkChannel, withDeadline } from './sink-channel.js';
import { runSpan, type SpanOptions } from './span.js';

export type { EmitOptions } from './envelope-factory.js';

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
  /**
   * Events a sink drops or fails to write are reported as `obs.dropped` events to the other, healthy
   * sinks, at most once per sink per `intervalMs` (default 10 s), with the `run_id` `runId` (default
   * `obs.drops`). `false` turns the reports off (the counts stay in `stats()`).
   */
  dropReports?: false | { intervalMs?: number; runId?: string };
  /** Milliseconds since the epoch; for tests. */
  clock?: () => number;
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
  /**
   * `ingestBatch`, then waits until every sink has written the batch. `undelivered` lists the events
   * some sink dropped (overflow policy) or failed to write after every retry; empty means all stored.
   */
  deliver(inputs: readonly unknown[]): Promise<{ envelopes: Envelope[]; undelivered: Envelope[] }>;
  /** Times `fn` as a `span` event; events inside hang under it; errors are recorded and rethrown. */
  span<T>(name: string, fn: () => T | Promise<T>, options?: SpanOptions<T>): Promise<T>;
  withContext<T>(context: ObsContext, fn: () => T): T;
  currentContext(): Readonly<ObsContext>;
  /** Resolves when no `block`-policy sink is full. */
  ready(): Promise<void>;
  /** Resolves when every event accepted so far has been written by its sinks. */
  flush(): Promise<void>;
  /**
   * Flushes and closes every sink; later emits throw. Idempotent. Past `timeoutMs` (default 10 s) it
   * stops waiting for sinks that do not settle and counts what they still held as failed.
   */
  shutdown(options?: { timeoutMs?: number }): Promise<void>;
  stats(): ObservabilityStats;
}

/** Creates the service: `createObservability({ source: 'agent', sinks: [sink] })`. */
export function createObservability<const Types extends readonly EventType[] = readonly []>(
  options: ObservabilityOptions<Types>,
): Observability<BuiltinPayloads & PayloadsOf<Types>> {
  return new ObservabilityService(options) as unknown as Observability<BuiltinPayloads & PayloadsOf<Types>>;
}

const NO_OPTIONS: EmitOptions = Object.freeze({});

/** An `obs.dropped` event belongs to no run of the application: nothing is inherited from the context. */
const DROP_EVENT_CONTEXT = (runId: string): EmitOptions => ({
  run_id: runId,
  request_id: null,
  cycle: null,
  session_id: null,
  turn_number: null,
  parent_event_id: null,
});

const isBinding = (value: Sink | SinkBinding): value is SinkBinding =>
  typeof (value as Partial<Sink>).write !== 'function';

class ObservabilityService implements Observability<Record<string, Record<string, unknown>>> {
  readonly source: string;
  readonly registry: EventRegistry;
  readonly #channels: SinkChannel[];
  readonly #router: Router<SinkChannel>;
  readonly #guard: PayloadGuard;
  readonly #factory: EnvelopeFactory;
  readonly #log: ComponentLogger;
  readonly #clock: () => number;
  readonly #guardPayload = (type: string, payload: Record<string, unknown>) => {
    const guarded = this.#guard.guard(payload);
    this.#redacted += guarded.redacted;
    if (guarded.truncated === 0) return guarded.payload;
    const fitted = reparseTruncated(this.registry, type, guarded.payload);
    this.#truncated++;
    return fitted;
  };
  #emitted = 0;
  #rejected = 0;
  #redacted = 0;
  #truncated = 0;
  #unrouted = 0;
  #shutdown: Promise<void> | undefined;
  readonly #drops: DropReporter | undefined;
  readonly #dropRunId: string;
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
    this.#log = diag(options.logger, 'core');
    this.#clock = options.clock ?? Date.now;
    this.#factory = new EnvelopeFactory(
      options.source,
      this.#clock,
      options.defaultRunId,
      options.defaultAuditLevel ?? 'turn',
    );
    const bindings = options.sinks.map((s): SinkBinding => (isBinding(s) ? s : { sink: s }));
    const names = new Set<string>();
    for (const { sink } of bindings) {
      if (names.has(sink.name)) {
        throw new ObsValidationError('observability options', [
          { path: 'sinks', message: `two sinks are named "${sink.name}"` },
        ]);
      }
      names.add(sink.name);
    }
    const onError = options.onError ?? (() => {});
    const dropReports = parseDropReports(options.dropReports);
    this.#dropRunId = (dropReports !== false && dropReports.runId) || 'obs.drops';
    this.#drops =
      dropReports === false
        ? undefined
        : new DropReporter(dropReports.intervalMs ?? 10_000, this.#clock, (report) =>
            this.#reportDrops(report),
          );
    const drops = this.#drops;
    this.#channels = bindings.map(
      (b) =>
        new SinkChannel(
          b.sink,
          { ...options.queue, ...b.sink.queueDefaults, ...b.queue },
          this.#log,
          (error) => onError(error, b.sink.name),
          drops && ((reason, records) => drops.record(b.sink.name, reason, records)),
        ),
    );
    this.#router = new Router(
      bindings.map((b, i) => ({ target: this.#channels[i]!, route: b.route })),
      (error) => this.#log.warn(`a route predicate threw: ${toError(error).message}`),
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
    return this.#emit(type, payload, options ?? NO_OPTIONS).envelope;
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
    return this.#ingest(inputs).map((record) => record.envelope);
  }

  async deliver(inputs: readonly unknown[]): Promise<{ envelopes: Envelope[]; undelivered: Envelope[] }> {
    const records = this.#ingest(inputs);
    await this.flush();
    return {
      envelopes: records.map((r) => r.envelope),
      undelivered: records.filter((r) => r.undelivered > 0).map((r) => r.envelope),
    };
  }

  span<T>(name: string, fn: () => T | Promise<T>, options: SpanOptions<T> = {}): Promise<T> {
    this.#assertOpen();
    return runSpan(name, fn, options, this.#clock, (payload, emitOptions) => {
      try {
        this.#emit('span', payload, emitOptions);
      } catch (error) {
        this.#log.warn(`span "${name}" could not be recorded: ${toError(error).message}`);
      }
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

  shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#removeExitHooks?.();
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      if (this.#drops !== undefined) {
        // losses of the last writes are reported too, into the sinks still to be closed
        await withDeadline(this.flush(), deadline);
        this.#drops.close();
      }
      await Promise.all(this.#channels.map((c) => c.close(deadline)));
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

  #emit(type: string, payload: Record<string, unknown>, options: EmitOptions): EventRecord {
    this.#assertOpen();
    let envelope: Envelope;
    try {
      envelope = this.#factory.build(
        type,
        this.#guardPayload(type, this.registry.parsePayload(type, payload)),
        options,
      );
    } catch (error) {
      this.#rejected++;
      throw error;
    }
    return this.#dispatch(envelope);
  }

  #ingest(inputs: readonly unknown[]): EventRecord[] {
    this.#assertOpen();
    let envelopes: Envelope[];
    try {
      envelopes = buildIngested(inputs, this.registry, this.#guardPayload, this.#factory);
    } catch (error) {
      this.#rejected += inputs.length;
      throw error;
    }
    return envelopes.map((envelope) => this.#dispatch(envelope));
  }

  #dispatch(envelope: Envelope): EventRecord {
    this.#emitted++;
    const record = new EventRecord(envelope, undefined, this.registry.serializerFor(envelope.event_type));
    const targets = this.#router.route(envelope);
    if (targets.length === 0) this.#unrouted++;
    for (let i = 0; i < targets.length; i++) targets[i]!.offer(record);
    return record;
  }

  /**
   * Sends one `obs.dropped` event to the sinks its route reaches, except the sink it is about and any
   * sink that is full or failing, so a report never causes a drop itself (and losses of reports are
   * not reported again: see `DropReporter`).
   */
  #reportDrops(report: DropReport): void {
    try {
      const envelope = this.#factory.build(
        DROP_EVENT_TYPE,
        this.registry.parsePayload(DROP_EVENT_TYPE, report as unknown as Record<string, unknown>),
        DROP_EVENT_CONTEXT(this.#dropRunId),
      );
      const record = new EventRecord(envelope);
      let delivered = 0;
      for (const target of this.#router.route(envelope)) {
        if (target.sink.name === report.sink || !target.healthy) continue;
        target.offer(record);
        delivered++;
      }
      this.#emitted++;
      if (delivered === 0) this.#unrouted++;
      this.#log.warn(`sink "${report.sink}" lost ${report.lost} events`, { ...report.counts });
    } catch (error) {
      this.#log.error(`could not record obs.dropped: ${toError(error).message}`);
    }
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

/**
 * A payload cut to fit `maxPayloadBytes` must still satisfy its type's schema; when it does not
 * (say, a number array typed strictly, now ending in a marker), emit refuses it with the reason.
 */
function reparseTruncated(registry: EventRegistry, type: string, payload: Record<string, unknown>) {
  try {
    return registry.parsePayload(type, payload);
  } catch (error) {
    if (!(error instanceof ObsValidationError)) throw error;
    const why = error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ObsValidationError('payload', [
      {
        path: 'payload',
        message: `is larger than maxPayloadBytes, and cut to fit it no longer satisfies the schema of "${type}" (${why}); raise maxPayloadBytes (OBS_MAX_PAYLOAD_BYTES) or bound the field`,
      },
    ]);
  }
}
