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
  OBS_POSTGRES_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,47}$/, 'expected lower-case letters, digits and "_", at most 48')
    .default('obs'),
  OBS_POSTGRES_SSL: z
    .enum(['true', 'false', '1', '0', 'no-verify'], { error: 'expected true, false or no-verify' })
    .default('false'),
  OBS_POSTGRES_CONNECTIONS: positiveInt.max(32, 'expected at most 32').default(1),
  OBS_RETENTION: z
    .string()
    .regex(/^\d+(h|d)$/, 'expected an age like 30d or 12h')
    .optional(),
  OBS_RETENTION_INTERVAL_MS: positiveInt.min(60_000, 'expected at least 60000 ms').default(3_600_000),
  OBS_BACKUP_DRILL: z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }).default('true'),
});

/** The PostgreSQL store of a collector (`OBS_POSTGRES_*`); `ssl` is handed to the driver as it is. */
export interface CollectorPostgresConfig {
  url: string;
  schema: string;
  ssl: boolean | { rejectUnauthorized: false };
  connections: number;
}

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
  /**
   * Also write to PostgreSQL (`OBS_POSTGRES_URL`), next to the mode's stores: many collectors on many
   * hosts share one database. `OBS_MODE=postgres` writes only there.
   */
  postgres: CollectorPostgresConfig | undefined;
  /** Prune what is older than `maxAgeMs`, every `intervalMs` (`OBS_RETENTION`, `OBS_RETENTION_INTERVAL_MS`). */
  retention: { maxAgeMs: number; intervalMs: number } | undefined;
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

/**
 * `OBS_POSTGRES_URL`, checked apart from the other variables: its value holds a password, so an
 * error names the variable and what was expected, never the value.
 */
function postgresUrl(env: Record<string, string | undefined>, required: boolean): string | undefined {
  const url = env['OBS_POSTGRES_URL'] || undefined;
  if (url === undefined && !required) return undefined;
  if (url !== undefined && /^postgres(ql)?:\/\/\S+$/.test(url)) return url;
  throw new ObsConfigError([
    {
      path: 'OBS_POSTGRES_URL',
      message:
        url === undefined
          ? 'OBS_MODE=postgres needs a postgres://user:password@host:5432/database URL'
          : 'expected a postgres://user:password@host:5432/database URL (value not shown: it may hold a password)',
    },
  ]);
}

/** Reads and validates the collector's configuration; a bad value throws `ObsConfigError` naming the variable. */
export function loadCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  // OBS_MODE=postgres is the collector's own: no local store, PostgreSQL only
  const postgresOnly = env['OBS_MODE'] === 'postgres';
  const base = loadConfig(postgresOnly ? { ...env, OBS_MODE: 'file_only' } : env);
  const e = { ...parseEnv(CollectorEnvSchema, env), OBS_POSTGRES_URL: postgresUrl(env, postgresOnly) };
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
    ...(postgresOnly ? { stores: { sqlite: false, jsonl: false } } : {}),
    postgres:
      e.OBS_POSTGRES_URL === undefined
        ? undefined
        : {
            url: e.OBS_POSTGRES_URL,
            schema: e.OBS_POSTGRES_SCHEMA,
            ssl:
              e.OBS_POSTGRES_SSL === 'no-verify'
                ? { rejectUnauthorized: false }
                : e.OBS_POSTGRES_SSL === 'true' || e.OBS_POSTGRES_SSL === '1',
            connections: e.OBS_POSTGRES_CONNECTIONS,
          },
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
    retention:
      e.OBS_RETENTION === undefined
        ? undefined
        : {
            maxAgeMs:
              Number(e.OBS_RETENTION.slice(0, -1)) * (e.OBS_RETENTION.endsWith('d') ? 86_400_000 : 3_600_000),
            intervalMs: e.OBS_RETENTION_INTERVAL_MS,
          },
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
