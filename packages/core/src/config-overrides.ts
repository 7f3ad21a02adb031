import { z } from 'zod';
import { loadConfig, OBS_MODES, type ObsConfig, type ObsMode, storesForMode } from './config.js';
import { ObsConfigError } from './errors.js';
import { fromZodIssues } from './zod-issues.js';

/** Values set in code that win over the `OBS_*` variables (see {@link resolveConfig}). */
export interface ObsConfigOverrides {
  source?: string;
  mode?: ObsMode;
  /** Also moves the SQLite file and the JSONL directory, unless those are set themselves. */
  dataDir?: string;
  sqlitePath?: string;
  jsonlDir?: string;
  queue?: Partial<ObsConfig['queue']>;
  maxPayloadBytes?: number;
  redactKeys?: readonly string[];
  /** `port: 0` picks a free port. */
  stream?: Partial<ObsConfig['stream']>;
}

const positiveInt = z.number().int().positive();
const OverridesSchema = z.strictObject({
  source: z.string().min(1).max(256).optional(),
  mode: z.enum(OBS_MODES, { error: `expected one of ${OBS_MODES.join(', ')}` }).optional(),
  dataDir: z.string().min(1).optional(),
  sqlitePath: z.string().min(1).optional(),
  jsonlDir: z.string().min(1).optional(),
  queue: z
    .strictObject({
      capacity: positiveInt.optional(),
      batchSize: positiveInt.optional(),
      lingerMs: z.number().int().nonnegative().optional(),
      overflow: z.enum(['block', 'drop-newest', 'drop-oldest']).optional(),
    })
    .optional(),
  maxPayloadBytes: positiveInt.optional(),
  redactKeys: z.array(z.string().min(1)).readonly().optional(),
  stream: z
    .strictObject({
      enabled: z.boolean().optional(),
      port: z.number().int().min(0).max(65_535).optional(),
      token: z.string().min(16, 'expected a token of at least 16 characters').optional(),
    })
    .optional(),
});

/** A resolved configuration and which of its choices were made explicitly rather than defaulted. */
export interface ResolvedConfig {
  config: ObsConfig;
  /** `OBS_MODE` was set (in the environment or in code). */
  modeExplicit: boolean;
  /** `OBS_OVERFLOW` was set (in the environment or in code). */
  overflowExplicit: boolean;
}

/**
 * `loadConfig(env)` with `overrides` applied on top: code wins over the environment, which wins over
 * the defaults. A bad override throws `ObsConfigError` with paths like `config.mode`.
 */
export function resolveConfig(
  env: Record<string, string | undefined>,
  overrides: ObsConfigOverrides = {},
): ResolvedConfig {
  const parsed = OverridesSchema.safeParse(overrides);
  if (!parsed.success) throw new ObsConfigError(fromZodIssues(parsed.error.issues, 'config'));
  const o = parsed.data;
  const base = loadConfig(env);
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const mode = o.mode ?? base.mode;
  const dataDir = o.dataDir ?? base.dataDir;
  const config: ObsConfig = {
    ...base,
    source: o.source ?? base.source,
    mode,
    dataDir,
    sqlitePath: o.sqlitePath ?? (set('OBS_SQLITE_PATH') ? base.sqlitePath : `${dataDir}/events.db`),
    jsonlDir: o.jsonlDir ?? (set('OBS_JSONL_DIR') ? base.jsonlDir : `${dataDir}/jsonl`),
    queue: { ...base.queue, ...defined(o.queue) },
    maxPayloadBytes: o.maxPayloadBytes ?? base.maxPayloadBytes,
    redactKeys: o.redactKeys ? [...o.redactKeys] : base.redactKeys,
    stream: { ...base.stream, ...defined(o.stream) },
    stores: storesForMode(mode),
  };
  return {
    config,
    modeExplicit: o.mode !== undefined || set('OBS_MODE'),
    overflowExplicit: o.queue?.overflow !== undefined || set('OBS_OVERFLOW'),
  };
}

/** The entries of `value` that are not `undefined`, so spreading them never unsets a base value. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
