import { parseEnv } from '@obs/core';
import { z } from 'zod';
import { type ConsoleSink, createConsoleSink } from './console-sink.js';
import type { ConsoleSinkOptions } from './options.js';

type Env = Readonly<Record<string, string | undefined>>;

const TraceEnvSchema = z.object({
  OBS_TRACE: z
    .enum(['1', 'true', '0', 'false'], {
      error: 'expected 1 or true to turn the trace on, 0 or false for off',
    })
    .default('false'),
});

/**
 * True when `OBS_TRACE` is `1` or `true`; off when unset, empty, `0` or `false`. Any other value
 * throws `ObsConfigError` naming the variable.
 */
export function isTraceEnabled(env: Env = process.env): boolean {
  const { OBS_TRACE } = parseEnv(TraceEnvSchema, env);
  return OBS_TRACE === '1' || OBS_TRACE === 'true';
}

/**
 * The console sink when `OBS_TRACE` turns the trace on (see {@link isTraceEnabled}), else
 * `undefined`: `sinks: [store, ...(consoleSinkFromEnv() ? [...] : [])]`. `env` also decides colour
 * (`NO_COLOR`, `FORCE_COLOR`, `TERM`).
 */
export function consoleSinkFromEnv(
  env: Env = process.env,
  options: Omit<ConsoleSinkOptions, 'env'> = {},
): ConsoleSink | undefined {
  return isTraceEnabled(env) ? createConsoleSink({ ...options, env }) : undefined;
}
