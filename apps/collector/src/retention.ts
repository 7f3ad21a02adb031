import { type DiagLogger, diag } from '@obs/core';
import { pruneTrail } from '@obs/sink-jsonl';
import { prunePostgres } from '@obs/sink-postgres';
import { pruneSqlite } from '@obs/sink-sqlite';
import { safePostgresUrl } from '@obs/store-format';
import type { CollectorConfig } from './config.js';

/** The collector's retention schedule (`OBS_RETENTION`). */
export interface Retention {
  /** Runs one prune now (waits for a running one instead of starting a second). */
  runNow(): Promise<void>;
  /** Stops the schedule and waits for a running prune. */
  stop(): Promise<void>;
}

/**
 * Prunes what is older than `OBS_RETENTION` from the SQLite store, the PostgreSQL store
 * (`OBS_POSTGRES_URL`, daily partitions dropped) and the JSONL trail, at start and then every
 * `OBS_RETENTION_INTERVAL_MS`, off the request path (short transactions the writers interleave with;
 * whole rotated trail files, recorded in the trail's prune ledger). A failed run is logged and
 * retried on the next cycle; one store failing does not stop the others.
 */
export function createRetention(config: CollectorConfig, logger?: DiagLogger): Retention | undefined {
  const retention = config.retention;
  if (retention === undefined) return undefined;
  const log = diag(logger, 'collector:retention');
  let running: Promise<void> | undefined;
  const stores: { name: string; prune: (before: number) => Promise<string> }[] = [];
  if (config.stores.sqlite) {
    stores.push({
      name: config.sqlitePath,
      prune: async (before) => {
        const r = await pruneSqlite(config.sqlitePath, { before });
        return `pruned ${r.events} events before ${new Date(r.before).toISOString()} from ${config.sqlitePath}`;
      },
    });
  }
  if (config.postgres) {
    const { url, schema, ssl } = config.postgres;
    const name = `${safePostgresUrl(url)} (schema ${schema})`;
    stores.push({
      name,
      prune: async (before) => {
        const r = await prunePostgres(url, { before, schema, ssl });
        return `pruned ${r.partitions.length} daily partitions and ${r.stragglers} other events before ${new Date(r.before).toISOString()} from ${name}`;
      },
    });
  }
  if (config.stores.jsonl) {
    stores.push({
      name: config.jsonlDir,
      prune: async (before) => {
        const r = await pruneTrail(config.jsonlDir, { before });
        return `pruned ${r.files.length} trail files from ${config.jsonlDir}`;
      },
    });
  }
  const once = async () => {
    const before = Date.now() - retention.maxAgeMs;
    for (const store of stores) {
      try {
        log.info(await store.prune(before));
      } catch (error) {
        log.warn(
          `retention of ${store.name} failed (retried on the next cycle): ${(error as Error).message}`,
        );
      }
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
