import { z } from 'zod';
import { ObsConfigError } from './errors.js';

/** Which embedded stores a deployment writes: SQLite, JSONL, or both. */
export const OBS_MODES = ['db_only', 'file_only', 'dual'] as const;
/** One of {@link OBS_MODES}. */
export type ObsMode = (typeof OBS_MODES)[number];

const positiveInt = z.coerce
  .number({ error: 'expected a positive integer' })
  .int('expected a positive integer')
  .positive('expected a positive integer');
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The `OBS_*` environment variables and what each accepts. */
const EnvSchema = z.object({
  OBS_SOURCE: z.string().min(1, 'expected a non-empty service name').max(256).default('app'),
  OBS_MODE: z.enum(OBS_MODES, { error: `expected one of ${OBS_MODES.join(', ')}` }).default('dual'),
  OBS_DATA_DIR: z.string().min(1).default('./.obs'),
  OBS_SQLITE_PATH: z.string().min(1).optional(),
  OBS_JSONL_DIR: z.string().min(1).optional(),
  OBS_QUEUE_CAPACITY: positiveInt.default(2_048),
  OBS_BATCH_SIZE: positiveInt.default(512),
  OBS_LINGER_MS: z.coerce
    .number({ error: 'expected milliseconds >= 0' })
    .int()
    .nonnegative('expected milliseconds >= 0')
    .default(10),
  OBS_OVERFLOW: z
    .enum(['block', 'drop-newest', 'drop-oldest'], { error: 'expected block, drop-newest or drop-oldest' })
    .default('block'),
  OBS_MAX_PAYLOAD_BYTES: positiveInt.default(256 * 1024),
  OBS_REDACT_KEYS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
  OBS_STREAM: flag.default(false),
  OBS_TRACE: flag.default(false),
  OBS_STREAM_PORT: z.coerce
    .number({ error: 'expected a port number 0-65535 (0 picks a free port)' })
    .int('expected a port number 0-65535 (0 picks a free port)')
    .min(0, 'expected a port number 0-65535 (0 picks a free port)')
    .max(65535, 'expected a port number 0-65535 (0 picks a free port)')
    .default(4601),
  OBS_STREAM_TOKEN: z.string().min(16, 'expected a token of at least 16 characters').optional(),
});

/** Configuration read from `OBS_*` variables, with defaults applied and derived paths resolved. */
export interface ObsConfig {
  source: string;
  mode: ObsMode;
  dataDir: string;
  sqlitePath: string;
  jsonlDir: string;
  queue: {
    capacity: number;
    batchSize: number;
    lingerMs: number;
    overflow: 'block' | 'drop-newest' | 'drop-oldest';
  };
  maxPayloadBytes: number;
  redactKeys: string[];
  stream: { enabled: boolean; port: number; token: string | undefined };
  /** `OBS_TRACE=1`: print a live trace on stderr (`@obs/sink-console`). */
  trace: boolean;
  /** Which stores the mode writes. */
  stores: { sqlite: boolean; jsonl: boolean };
}

/**
 * Reads `OBS_*` variables. A bad value throws `ObsConfigError` naming the variable, the value
 * and what was expected; tokens are never echoed.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ObsConfig {
  const e = parseEnv(EnvSchema, env);
  return {
    source: e.OBS_SOURCE,
    mode: e.OBS_MODE,
    dataDir: e.OBS_DATA_DIR,
    sqlitePath: e.OBS_SQLITE_PATH ?? `${e.OBS_DATA_DIR}/events.db`,
    jsonlDir: e.OBS_JSONL_DIR ?? `${e.OBS_DATA_DIR}/jsonl`,
    queue: {
      capacity: e.OBS_QUEUE_CAPACITY,
      batchSize: e.OBS_BATCH_SIZE,
      lingerMs: e.OBS_LINGER_MS,
      overflow: e.OBS_OVERFLOW,
    },
    maxPayloadBytes: e.OBS_MAX_PAYLOAD_BYTES,
    redactKeys: e.OBS_REDACT_KEYS,
    stream: { enabled: e.OBS_STREAM, port: e.OBS_STREAM_PORT, token: e.OBS_STREAM_TOKEN },
    trace: e.OBS_TRACE,
    stores: storesForMode(e.OBS_MODE),
  };
}

/** The stores a mode writes: `db_only` SQLite, `file_only` JSONL (no SQLite needed), `dual` both. */
export function storesForMode(mode: ObsMode): { sqlite: boolean; jsonl: boolean } {
  return { sqlite: mode !== 'file_only', jsonl: mode !== 'db_only' };
}

/**
 * Parses the non-empty `OBS_*` variables of `env` with a zod object schema. A bad value throws
 * `ObsConfigError` naming the variable, its value (hidden for tokens and secrets) and what was expected.
 * Applications extend obs's configuration with their own variables through it.
 */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): z.output<T> {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('OBS_') && v !== undefined && v !== ''),
  );
  const result = schema.safeParse(relevant);
  if (result.success) return result.data;
  throw new ObsConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const shown = /TOKEN|SECRET|PASSWORD|KEY$/.test(name) ? '(hidden)' : JSON.stringify(relevant[name]);
      return { path: name, message: `${shown}: ${issue.message}` };
    }),
  );
}
