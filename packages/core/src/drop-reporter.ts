import { z } from 'zod';
import { EnvelopeSchema } from './envelope.js';
import type { EventRecord } from './event-record.js';
import { parseOrThrow } from './zod-issues.js';

/** Why a sink lost events: its overflow policy refused or evicted them, or it failed to write them. */
export const LOSS_REASONS = ['drop_newest', 'drop_oldest', 'queue_full', 'write_failed'] as const;

/** One of {@link LOSS_REASONS}. */
export type LossReason = (typeof LOSS_REASONS)[number];

/** Event counts per loss reason; a reason with no loss is left out. */
export type LossCounts = Partial<Record<LossReason, number>>;

/** The payload of one `obs.dropped` event: what one sink lost between `from` and `to`, and since the start. */
export interface DropReport {
  sink: string;
  counts: LossCounts;
  lost: number;
  totals: LossCounts;
  total_lost: number;
  from: string;
  to: string;
}

const DropReportsSchema = z.union([
  z.literal(false),
  z.strictObject({
    intervalMs: z.number().int().nonnegative().max(86_400_000).optional(),
    runId: EnvelopeSchema.shape.run_id.optional(),
  }),
]);

/** Checks the `dropReports` option of the service; throws `ObsValidationError` naming what is wrong. */
export function parseDropReports(value: unknown): z.output<typeof DropReportsSchema> {
  return parseOrThrow(DropReportsSchema, value ?? {}, 'dropReports option');
}

interface SinkLosses {
  counts: LossCounts;
  totals: LossCounts;
  totalLost: number;
  since: number;
  lastReportAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** The event type the reporter emits; losses of its own events are never reported again. */
export const DROP_EVENT_TYPE = 'obs.dropped';

/**
 * Collects the events sinks lose and reports them at most once per sink per `intervalMs`, counts of
 * the period plus totals since the start. Nothing runs until something is lost: the first loss of a
 * quiet sink is reported on the next turn of the event loop, later ones when the interval has passed.
 */
export class DropReporter {
  readonly #intervalMs: number;
  readonly #clock: () => number;
  readonly #report: (report: DropReport) => void;
  readonly #sinks = new Map<string, SinkLosses>();
  #closed = false;

  constructor(intervalMs: number, clock: () => number, report: (report: DropReport) => void) {
    this.#intervalMs = intervalMs;
    this.#clock = clock;
    this.#report = report;
  }

  /** Counts `records` lost by `sink` for `reason` and schedules the sink's next report. */
  record(sink: string, reason: LossReason, records: readonly EventRecord[]): void {
    if (this.#closed) return;
    let n = 0;
    for (const record of records) if (record.envelope.event_type !== DROP_EVENT_TYPE) n++;
    if (n === 0) return;
    const now = this.#clock();
    let losses = this.#sinks.get(sink);
    if (losses === undefined) {
      losses = {
        counts: {},
        totals: {},
        totalLost: 0,
        since: now,
        lastReportAt: -Infinity,
        timer: undefined,
      };
      this.#sinks.set(sink, losses);
    }
    if (Object.keys(losses.counts).length === 0) losses.since = now;
    losses.counts[reason] = (losses.counts[reason] ?? 0) + n;
    losses.totals[reason] = (losses.totals[reason] ?? 0) + n;
    losses.totalLost += n;
    if (losses.timer === undefined) {
      const wait = Math.max(0, losses.lastReportAt + this.#intervalMs - now);
      losses.timer = setTimeout(() => this.#flushSink(sink, losses), wait);
      losses.timer.unref();
    }
  }

  /** Reports every pending loss now and stops (at shutdown): later losses are only counted in `stats()`. */
  close(): void {
    for (const [sink, losses] of this.#sinks) this.#flushSink(sink, losses);
    this.#closed = true;
  }

  #flushSink(sink: string, losses: SinkLosses): void {
    clearTimeout(losses.timer);
    losses.timer = undefined;
    const counts = losses.counts;
    if (Object.keys(counts).length === 0) return;
    losses.counts = {};
    const now = this.#clock();
    losses.lastReportAt = now;
    let lost = 0;
    for (const reason of LOSS_REASONS) lost += counts[reason] ?? 0;
    this.#report({
      sink,
      counts,
      lost,
      totals: { ...losses.totals },
      total_lost: losses.totalLost,
      from: new Date(losses.since).toISOString(),
      to: new Date(now).toISOString(),
    });
  }
}
