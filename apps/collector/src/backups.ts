import { createBackupScheduler, createS3Backup } from '@obs/backup-s3';
import type { DiagLogger, Observability } from '@obs/core';
import type { CollectorConfig } from './config.js';
import type { BackupTrigger } from './http/collector-server.js';

/** The collector's backups: a trigger for `POST /v1/backups`, and the schedule when one is set. */
export interface CollectorBackups extends BackupTrigger {
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Wires `@obs/backup-s3` to the collector's SQLite store: scheduled every `OBS_BACKUP_INTERVAL_MS`
 * when set, and on demand. Credentials come from the standard AWS chain; a custom endpoint
 * (S3-compatible servers) is addressed path-style.
 */
export function createBackups(
  config: CollectorConfig,
  obs: Observability,
  logger?: DiagLogger,
): CollectorBackups | undefined {
  const target = config.backup;
  if (target === undefined || !config.stores.sqlite) return undefined;
  const backup = createS3Backup({
    database: config.sqlitePath,
    s3: {
      bucket: target.bucket,
      prefix: target.prefix,
      region: target.region,
      ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
    },
    ...(target.keepLast ? { retention: { keepLast: target.keepLast } } : {}),
    restoreDrill: target.drill,
    ...(logger ? { logger } : {}),
  });
  const scheduler = createBackupScheduler({
    backup,
    obs,
    everyMs: target.intervalMs ?? DAY_MS,
    attempts: 2,
    retryDelayMs: 1000,
    ...(logger ? { logger } : {}),
  });
  if (target.intervalMs !== undefined) scheduler.start();
  return {
    isRunning: () => scheduler.running,
    runNow: async () => {
      const result = await scheduler.runNow();
      if (result === undefined)
        throw new Error('the backup failed on every attempt; see the backup.failed events');
      return {
        key: result.key,
        bytes: result.bytes,
        database_bytes: result.databaseBytes,
        event_count: result.eventCount,
        sha256: result.sha256,
        verified: result.verified,
        ...(result.drillMs === undefined ? {} : { drill_ms: result.drillMs }),
      };
    },
    stop: async () => {
      await scheduler.stop();
      backup.close();
    },
  };
}
