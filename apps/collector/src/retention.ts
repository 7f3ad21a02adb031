import { type DiagLogger, diag } from '@obs/core';
import { pruneTrail } from '@obs/sink-jsonl';
import { pruneSqlite } from '@obs/sink-sqlite';
import type { CollectorConfig } from './config.js';

/** The collector's retention schedule (`OBS_RETENTION`). */
export interface Retention {
  /** Runs one prune now (waits for a running one instead of starting a second). */
  runNow(): Promise<void>;
  /** Stops the schedule and waits for a running prune. */
  stop(): Promise<void>;
}

/**
 * Prunes what is older than `OBS_RETENTION` from the SQLite store and the JSONL trail, at start and
 * then every `OBS_RETENTION_INTERVAL_MS`, off the request path (short transactions the writer
 * interleaves with; whole rotated trail files, recorded in the trail's prune ledger). A failed run
 * is logged and retried on the next cycle.
 */
export function createRetention(config: CollectorConfig, logger?: DiagLogger): Retention | undefined {
  const retention = config.retention;
  if (retention === undefined) return undefined;
  const log = diag(logger, 'collector:retention');
  let running: Promise<void> | undefined;
  const once = async () => {
    const before = Date.now() - retention.maxAgeMs;
    try {
      if (config.stores.sqlite) {
        const r = await pruneSqlite(config.sqlitePath, { before });
        log.info(
          `pruned ${r.events} events before ${new Date(r.before).toISOString()} from ${config.sqlitePath}`,
        );
      }
      if (config.stores.jsonl) {
        const r = await pruneTrail(config.jsonlDir, { before });
        log.info(`pruned ${r.files.length} trail files from ${config.jsonlDir}`);
      }
    } catch (error) {
      log.warn(`retention failed (retried on the next cycle): ${(error as Error).message}`);
    }
  };
  const runNow = () => {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
  void runNow();
  const timer = setInterval(() => void runNow(), retention.intervalMs).unref();
  return {
    runNow,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
