import type { BuiltinPayloads } from './catalog.js';
import type { ObsConfig } from './config.js';
import { type ObsConfigOverrides, resolveConfig } from './config-overrides.js';
import { type CreatedSink, ENV_SINKS, type EnvSinkContext, type EnvSinkEntry } from './env-sinks.js';
import { ObsConfigError, type ValidationIssue } from './errors.js';
import type { EventType, PayloadsOf } from './event-type.js';
import {
  createObservability,
  type Observability,
  type ObservabilityOptions,
  type SinkBinding,
} from './observability.js';
import {
  importFromCore,
  importOptional,
  isNativeLoadError,
  type ModuleImporter,
} from './optional-package.js';
import type { Sink } from './sink.js';

/** Options of {@link createObservabilityFromEnv}; everything else comes from the `OBS_*` variables. */
export interface ObservabilityFromEnvOptions<Types extends readonly EventType[] = readonly []>
  extends Omit<ObservabilityOptions<Types>, 'source' | 'sinks' | 'queue' | 'exitHooks'> {
  /** Where the `OBS_*` variables are read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Values that win over the environment: `{ mode: 'file_only', dataDir, queue, stream: { port: 0 } }`. */
  config?: ObsConfigOverrides;
  /** Sinks added to the ones the configuration names (a `Sink`, or `{ sink, route, queue }`). */
  sinks?: readonly (Sink | SinkBinding)[];
  /** Flush on `beforeExit`, shut down on SIGTERM/SIGINT (default **true**; pass `false` when the app handles signals itself). */
  exitHooks?: boolean;
  /** How a sink package is loaded (default `import()` from `@obs/core`'s location); for bundlers and tests. */
  importModule?: ModuleImporter;
}

/** The service, with the configuration it was composed from. */
export type ObservabilityFromEnv<P extends object = BuiltinPayloads> = Observability<P> & {
  /** The resolved configuration (environment, then `options.config`). */
  readonly config: ObsConfig;
  /** `ws://127.0.0.1:<port>/v1/stream` when `OBS_STREAM` is on. */
  readonly streamUrl: string | undefined;
};

/**
 * Composes the service that the `OBS_*` variables describe, from the sink packages that are installed:
 * `OBS_MODE=file_only` → `@obs/sink-jsonl`, `db_only` → `@obs/sink-sqlite`, `dual` (the default) → both,
 * `OBS_STREAM=1` → `@obs/sink-stream` and its WebSocket server on `OBS_STREAM_PORT`. The stores run
 * lossless (`overflow: 'block'`) unless `OBS_OVERFLOW` says otherwise. A package the configuration
 * needs but that is not installed is an `ObsConfigError` naming it and how to install it; one that is
 * installed but does not load (a native binding missing, say) is one too, with the original as `cause`.
 */
export async function createObservabilityFromEnv<const Types extends readonly EventType[] = readonly []>(
  options: ObservabilityFromEnvOptions<Types> = {},
): Promise<ObservabilityFromEnv<BuiltinPayloads & PayloadsOf<Types>>> {
  const {
    env = process.env,
    config: overrides,
    sinks: extra = [],
    exitHooks = true,
    importModule = importFromCore,
    redaction,
    ...rest
  } = options;
  const { config, modeExplicit, overflowExplicit } = resolveConfig(env, overrides);
  const context: EnvSinkContext = { config, overflowExplicit, logger: options.logger };
  const wanted = ENV_SINKS.flatMap((entry) => {
    const reason = entry.wantedBy(context, env);
    return reason === undefined ? [] : [{ entry, reason }];
  });
  const modules = await loadAll(wanted, importModule, modeExplicit ? undefined : config.mode);
  const created: CreatedSink[] = [];
  try {
    for (const [i, { entry, reason }] of wanted.entries()) {
      created.push(await createSink(entry, reason, modules[i]!, context));
    }
    const obs = createObservability<Types>({
      ...rest,
      source: config.source,
      sinks: [...created.map((c) => c.binding), ...extra],
      queue: config.queue,
      redaction: {
        maxPayloadBytes: config.maxPayloadBytes,
        ...redaction,
        redactKeys: [...config.redactKeys, ...(redaction?.redactKeys ?? [])],
      },
      exitHooks,
    });
    const streamUrl = created.find((c) => c.url !== undefined)?.url;
    return Object.defineProperties(obs, {
      config: { value: config, enumerable: true },
      streamUrl: { value: streamUrl, enumerable: true },
    }) as ObservabilityFromEnv<BuiltinPayloads & PayloadsOf<Types>>;
  } catch (error) {
    await Promise.allSettled(created.map((c) => ('sink' in c.binding ? c.binding.sink : c.binding).close()));
    throw error;
  }
}

interface Wanted {
  entry: EnvSinkEntry;
  reason: string;
}

/** Imports every wanted package at once; one error lists all missing ones, else names the first broken one. */
async function loadAll(
  wanted: readonly Wanted[],
  importer: ModuleImporter,
  defaultedMode: string | undefined,
): Promise<Record<string, unknown>[]> {
  const results = await Promise.all(wanted.map(({ entry }) => importOptional(entry.package, importer)));
  const missing = wanted.filter((_, i) => results[i]!.status === 'missing');
  if (missing.length > 0) throw missingPackages(missing, defaultedMode);
  return results.map((result, i) => {
    if (result.status === 'loaded') return result.module;
    const { entry, reason } = wanted[i]!;
    throw failedToLoad(entry, reason, result.status === 'broken' ? result.error : undefined);
  });
}

/** Makes one sink; a native addon that fails only now (better-sqlite3 loads its binding on open) is a load failure. */
async function createSink(
  entry: EnvSinkEntry,
  reason: string,
  module: Record<string, unknown>,
  context: EnvSinkContext,
): Promise<CreatedSink> {
  try {
    return await entry.create(module, context);
  } catch (error) {
    if (isNativeLoadError(error)) throw failedToLoad(entry, reason, error);
    throw error;
  }
}

/** `OBS_MODE=dual needs @obs/sink-sqlite: npm i @obs/sink-sqlite` (several reasons joined with `;`). */
function missingPackages(missing: readonly Wanted[], defaultedMode: string | undefined): ObsConfigError {
  const byReason = new Map<string, string[]>();
  for (const { entry, reason } of missing)
    byReason.set(reason, [...(byReason.get(reason) ?? []), entry.package]);
  const needs = [...byReason].map(([reason, pkgs]) => `${reason} needs ${pkgs.join(' and ')}`).join('; ');
  const pkgs = missing.map((m) => m.entry.package);
  const hint =
    defaultedMode !== undefined && missing.some((m) => m.reason.startsWith('OBS_MODE='))
      ? ` (OBS_MODE is unset and defaults to ${defaultedMode}; OBS_MODE=file_only needs only @obs/sink-jsonl)`
      : '';
  const issues: ValidationIssue[] = missing.map(({ entry, reason }) => ({
    path: reason.split('=')[0]!,
    message: `${reason.slice(reason.indexOf('=') + 1)} needs ${entry.package}, which is not installed`,
  }));
  return new ObsConfigError(issues, { message: `${needs}: npm i ${pkgs.join(' ')}${hint}` });
}

/** `OBS_MODE=dual needs @obs/sink-sqlite, which is installed but failed to load: <cause>`. */
function failedToLoad(entry: EnvSinkEntry, reason: string, cause: unknown): ObsConfigError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const native = isNativeLoadError(cause)
    ? ` (${entry.nativeHint ?? 'a native module of it did not load'})`
    : '';
  return new ObsConfigError(
    [{ path: reason.split('=')[0]!, message: `${entry.package} is installed but failed to load: ${detail}` }],
    {
      message: `${reason} needs ${entry.package}, which is installed but failed to load: ${detail}${native}`,
      cause,
    },
  );
}
