import { type DiagLogger, diag, type Observability, parseOrThrow } from '@obs/core';
import { z } from 'zod';
import { BACKUP_ERROR_CODES, ObsBackupError } from './errors.js';
import type { BackupResult, S3Backup } from './s3-backup.js';

const DAILY_AT = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Options of {@link createBackupScheduler}; give exactly one of `everyMs` and `dailyAt`. */
export const BackupSchedulerOptionsSchema = z
  .strictObject({
    backup: z.custom<Pick<S3Backup, 'run'>>(
      (v) => typeof (v as S3Backup | undefined)?.run === 'function',
      'expected an S3Backup',
    ),
    obs: z
      .custom<Pick<Observability, 'emit'>>(
        (v) => typeof (v as Observability | undefined)?.emit === 'function',
        'expected an Observability service',
      )
      .optional(),
    runId: z.string().min(1).default('obs.backup'),
    everyMs: z.number().int().min(1000).optional(),
    dailyAt: z.string().regex(DAILY_AT, 'expected "HH:MM" (24 h, UTC)').optional(),
    attempts: z.number().int().min(1).max(20).default(3),
    retryDelayMs: z.number().int().min(0).default(5000),
    maxRetryDelayMs: z.number().int().min(0).default(300_000),
    logger: z.custom<DiagLogger>((v) => typeof (v as DiagLogger | undefined)?.warn === 'function').optional(),
    clock: z.custom<() => number>((v) => typeof v === 'function').optional(),
  })
  .refine((o) => (o.everyMs === undefined) !== (o.dailyAt === undefined), {
    message: 'give exactly one of everyMs and dailyAt',
    path: ['everyMs'],
  });

/** Options of {@link createBackupScheduler}. */
export type BackupSchedulerOptions = z.input<typeof BackupSchedulerOptionsSchema>;

/** Runs backups on a timer, off the caller's path, one at a time. */
export interface BackupScheduler {
  start(): void;
  /** Cancels the timer and any retry wait; resolves when a running attempt has ended. */
  stop(): Promise<void>;
  /** Runs a cycle now, or joins the one in flight; resolves with its result, or undefined when every attempt failed. */
  runNow(): Promise<BackupResult | undefined>;
  /** When the next cycle starts, if scheduled. */
  readonly nextRunAt: Date | undefined;
  readonly running: boolean;
}

/** Creates a scheduler: `createBackupScheduler({ backup, obs, everyMs: 3_600_000 }).start()`. */
export function createBackupScheduler(options: BackupSchedulerOptions): BackupScheduler {
  const o = parseOrThrow(BackupSchedulerOptionsSchema, options, 'backup scheduler options');
  const logger = diag(o.logger, 'backup-s3');
  const clock = o.clock ?? Date.now;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let nextRunAt: Date | undefined;
  let inFlight: Promise<BackupResult | undefined> | undefined;
  let wake: (() => void) | undefined;
  let stopping = false;

  const emit = (type: 'backup.completed' | 'backup.failed', payload: Record<string, unknown>) => {
    if (!o.obs) return;
    try {
      (o.obs.emit as (t: string, p: Record<string, unknown>, opts: { run_id: string }) => unknown)(
        type,
        payload,
        { run_id: o.runId },
      );
    } catch (error) {
      logger.warn(`backup scheduler could not emit ${type}`, { message: (error as Error).message });
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const t = setTimeout(() => {
        wake = undefined;
        done();
      }, ms);
      t.unref();
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        done();
      };
    });

  const cycle = async (): Promise<BackupResult | undefined> => {
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      try {
        const result = await o.backup.run();
        emit('backup.completed', {
          key: result.key,
          bytes: result.bytes,
          database_bytes: result.databaseBytes,
          sha256: result.sha256,
          event_count: result.eventCount,
          duration_ms: result.durationMs,
          verified: result.verified,
          ...(result.drillMs === undefined ? {} : { drill_ms: result.drillMs }),
        });
        return result;
      } catch (error) {
        const last = attempt === o.attempts;
        const failure = error instanceof ObsBackupError ? error : undefined;
        const message = error instanceof Error ? error.message : String(error);
        const willRetry = !last || started;
        emit('backup.failed', {
          message,
          attempt,
          will_retry: willRetry,
          code: failure?.code ?? (error as { code?: string })?.code ?? BACKUP_ERROR_CODES.S3,
          stage: failure?.code === BACKUP_ERROR_CODES.DRILL_FAILED ? 'drill' : 'backup',
          ...(failure?.key === undefined ? {} : { key: failure.key }),
        });
        logger.warn(
          `backup attempt ${attempt}/${o.attempts} failed${last ? (started ? '; next try at the next cycle' : '') : '; retrying'}`,
          { message },
        );
        if (last) return undefined;
        await sleep(
          Math.min(o.maxRetryDelayMs, o.retryDelayMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4),
        );
        if (stopping) return undefined;
      }
    }
    return undefined;
  };

  const runNow = () => {
    if (!inFlight) stopping = false;
    inFlight ??= cycle().finally(() => {
      inFlight = undefined;
      if (started) schedule();
    });
    return inFlight;
  };

  const delayUntilNext = (): number => {
    const now = clock();
    if (o.everyMs !== undefined) return o.everyMs;
    const [h, m] = o.dailyAt!.split(':').map(Number) as [number, number];
    const next = new Date(now);
    next.setUTCHours(h, m, 0, 0);
    if (next.getTime() <= now) next.setUTCDate(next.getUTCDate() + 1);
    return next.getTime() - now;
  };

  function schedule(): void {
    clearTimeout(timer);
    const delay = delayUntilNext();
    nextRunAt = new Date(clock() + delay);
    timer = setTimeout(() => {
      timer = undefined;
      nextRunAt = undefined;
      void runNow();
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (started) return;
      started = true;
      stopping = false;
      if (!inFlight) schedule();
    },
    async stop() {
      started = false;
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      nextRunAt = undefined;
      wake?.();
      await inFlight;
    },
    runNow,
    get nextRunAt() {
      return nextRunAt;
    },
    get running() {
      return inFlight !== undefined;
    },
  };
}
