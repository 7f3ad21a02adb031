import { loadConfig, type ObsConfig, ObsConfigError, parseEnv } from '@obs/core';
import { isLoopbackHost } from '@obs/http-access';
import { isTraceEnabled } from '@obs/sink-console';
import { z } from 'zod';

const port = z.coerce
  .number({ error: 'expected a port number 0-65535' })
  .int('expected a port number 0-65535')
  .min(0)
  .max(65_535);
const positiveInt = z.coerce
  .number({ error: 'expected a positive integer' })
  .int('expected a positive integer')
  .positive('expected a positive integer');

/** Collector variables on top of the `OBS_*` ones `@obs/core` reads. */
const CollectorEnvSchema = z.object({
  OBS_COLLECTOR_HOST: z.string().min(1).default('127.0.0.1'),
  OBS_COLLECTOR_PORT: port.default(4610),
  OBS_COLLECTOR_TOKEN: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  OBS_MAX_BODY_BYTES: positiveInt.default(8 * 1024 * 1024),
  OBS_MAX_EVENTS_PER_REQUEST: positiveInt.max(50_000, 'expected at most 50000').default(10_000),
  OBS_SQLITE_WORKER: z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }).default('true'),
  OBS_JSONL_DURABILITY: z
    .enum(['batch', 'flush', 'fsync'], { error: 'expected batch, flush or fsync' })
    .default('batch'),
  OBS_BACKUP_BUCKET: z.string().min(3, 'expected an S3 bucket name').optional(),
  OBS_BACKUP_PREFIX: z.string().default('obs-backups'),
  OBS_BACKUP_ENDPOINT: z.url({ error: 'expected an http(s) URL of an S3-compatible endpoint' }).optional(),
  OBS_BACKUP_REGION: z.string().default('us-east-1'),
  OBS_BACKUP_INTERVAL_MS: positiveInt.min(1000, 'expected at least 1000 ms').optional(),
  OBS_BACKUP_KEEP_LAST: positiveInt.optional(),
  OBS_BACKUP_DRILL: z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }).default('true'),
});

/** Everything the collector needs: core's config plus HTTP, stream and backup settings. */
export interface CollectorConfig extends ObsConfig {
  http: {
    host: string;
    port: number;
    token: string | undefined;
    maxBodyBytes: number;
    maxEventsPerRequest: number;
  };
  jsonlDurability: 'batch' | 'flush' | 'fsync';
  /** Run SQLite writes in a worker thread (`OBS_SQLITE_WORKER`). */
  sqliteWorker: boolean;
  /** Print a live trace of every event on stderr (`OBS_TRACE`, see `@obs/sink-console`). */
  trace: boolean;
  backup:
    | {
        bucket: string;
        prefix: string;
        endpoint: string | undefined;
        region: string;
        intervalMs: number | undefined;
        keepLast: number | undefined;
        /** Restore drill after each backup (`OBS_BACKUP_DRILL`, default on). */
        drill: boolean;
      }
    | undefined;
}

/** Reads and validates the collector's configuration; a bad value throws `ObsConfigError` naming the variable. */
export function loadCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  const base = loadConfig(env);
  const e = parseEnv(CollectorEnvSchema, env);
  if (!isLoopbackHost(e.OBS_COLLECTOR_HOST) && e.OBS_COLLECTOR_TOKEN === undefined) {
    throw new ObsConfigError([
      {
        path: 'OBS_COLLECTOR_TOKEN',
        message: `binding to ${e.OBS_COLLECTOR_HOST} (not loopback) requires a token`,
      },
    ]);
  }
  return {
    ...base,
    http: {
      host: e.OBS_COLLECTOR_HOST.replace(/^\[(.*)\]$/, '$1'),
      port: e.OBS_COLLECTOR_PORT,
      token: e.OBS_COLLECTOR_TOKEN,
      maxBodyBytes: e.OBS_MAX_BODY_BYTES,
      maxEventsPerRequest: e.OBS_MAX_EVENTS_PER_REQUEST,
    },
    jsonlDurability: e.OBS_JSONL_DURABILITY,
    sqliteWorker: e.OBS_SQLITE_WORKER === 'true' || e.OBS_SQLITE_WORKER === '1',
    trace: isTraceEnabled(env),
    backup:
      e.OBS_BACKUP_BUCKET === undefined
        ? undefined
        : {
            bucket: e.OBS_BACKUP_BUCKET,
            prefix: e.OBS_BACKUP_PREFIX,
            endpoint: e.OBS_BACKUP_ENDPOINT,
            region: e.OBS_BACKUP_REGION,
            intervalMs: e.OBS_BACKUP_INTERVAL_MS,
            keepLast: e.OBS_BACKUP_KEEP_LAST,
            drill: e.OBS_BACKUP_DRILL === 'true' || e.OBS_BACKUP_DRILL === '1',
          },
  };
}
