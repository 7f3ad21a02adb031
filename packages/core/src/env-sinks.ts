import type { ObsConfig } from './config.js';
import type { DiagLogger } from './diag.js';
import { ObsConfigError } from './errors.js';
import type { EventRecord } from './event-record.js';
import type { SinkBinding } from './observability.js';
import type { Sink } from './sink.js';

/** What an entry of {@link ENV_SINKS} gets besides its package's module. */
export interface EnvSinkContext {
  config: ObsConfig;
  /** `OBS_OVERFLOW` was set: the stores follow it instead of the lossless `block` default. */
  overflowExplicit: boolean;
  logger: DiagLogger | undefined;
}

/** One sink `createObservabilityFromEnv` composes when the configuration asks for it. */
export interface EnvSinkEntry {
  /** The package that provides it; declared as an optional peer of `@obs/core`. */
  package: `@obs/sink-${string}`;
  /** The setting that asks for it, as the user wrote it (`OBS_MODE=dual`), or `undefined` when off. */
  wantedBy(context: EnvSinkContext, env: Record<string, string | undefined>): string | undefined;
  /** What to do when the package loads but a native addon of it does not. */
  nativeHint?: string;
  /** Makes the sink from the package's module; `close` of the sink releases whatever it started. */
  create(module: Record<string, unknown>, context: EnvSinkContext): Promise<CreatedSink>;
}

/** A composed sink, and the URL it serves on when it is a server. */
export interface CreatedSink {
  binding: Sink | SinkBinding;
  url?: string;
}

/**
 * The sinks the `OBS_*` variables can ask for, in the order they are composed. Adding a sink package
 * is one entry here plus its optional peer in `package.json`.
 */
export const ENV_SINKS: readonly EnvSinkEntry[] = [
  {
    package: '@obs/sink-sqlite',
    wantedBy: ({ config }) => (config.stores.sqlite ? `OBS_MODE=${config.mode}` : undefined),
    nativeHint:
      'better-sqlite3 has no native binding built for this Node.js: run `npm rebuild better-sqlite3` ' +
      '(with pnpm, allow its build script: `pnpm approve-builds`), or use OBS_MODE=file_only',
    create: async (m, context) => {
      const createSqliteSink = factory(m, '@obs/sink-sqlite', 'createSqliteSink');
      const sink = createSqliteSink({
        path: context.config.sqlitePath,
        ...ifSet({ logger: context.logger }),
      });
      return { binding: asStore(sink, context) };
    },
  },
  {
    package: '@obs/sink-jsonl',
    wantedBy: ({ config }) => (config.stores.jsonl ? `OBS_MODE=${config.mode}` : undefined),
    create: async (m, context) => {
      const createJsonlSink = factory(m, '@obs/sink-jsonl', 'createJsonlSink');
      const sink = createJsonlSink({ dir: context.config.jsonlDir, ...ifSet({ logger: context.logger }) });
      return { binding: asStore(sink, context) };
    },
  },
  {
    package: '@obs/sink-stream',
    wantedBy: ({ config }, env) =>
      config.stream.enabled ? `OBS_STREAM=${env.OBS_STREAM ?? 'true'}` : undefined,
    create: async (m, { config, logger }) => {
      const createStreamSink = factory(m, '@obs/sink-stream', 'createStreamSink');
      const createStreamServer = factory(m, '@obs/sink-stream', 'createStreamServer');
      const sink = createStreamSink() as Sink & { readonly bus: unknown };
      const { port, token } = config.stream;
      const server = createStreamServer({ bus: sink.bus, port, ...ifSet({ token, logger }) });
      const listening = server as unknown as StreamServerLike;
      try {
        await listening.listen();
      } catch (error) {
        await sink.close();
        throw error;
      }
      return { binding: closingServerToo(sink, listening), url: listening.url };
    },
  },
  {
    package: '@obs/sink-console',
    wantedBy: ({ config }, env) => (config.trace ? `OBS_TRACE=${env.OBS_TRACE ?? '1'}` : undefined),
    create: async (m, { logger }) => {
      const createConsoleSink = factory(m, '@obs/sink-console', 'createConsoleSink');
      return { binding: createConsoleSink({ ...ifSet({ logger }) }) };
    },
  },
];

/** A store is lossless (`block`) unless `OBS_OVERFLOW` chose a policy for it. */
function asStore(sink: Sink, { overflowExplicit }: EnvSinkContext): Sink | SinkBinding {
  return overflowExplicit ? sink : { sink, queue: { overflow: 'block' } };
}

/** The part of `@obs/sink-stream`'s `StreamServer` used here. */
interface StreamServerLike {
  listen(): Promise<unknown>;
  close(): Promise<void>;
  readonly url: string;
}

/** A sink package's factory; what it returns is checked by the service (`createObservability`). */
type Factory = (options?: Record<string, unknown>) => Sink;

/** The factory `name` exported by `module`, or a clear error when the installed version lacks it. */
export function factory(module: Record<string, unknown>, pkg: string, name: string): Factory {
  const fn = module[name];
  if (typeof fn !== 'function') {
    throw new ObsConfigError([{ path: pkg, message: `does not export ${name}()` }], {
      message: `${pkg} does not export ${name}(); install a version that does: npm i ${pkg}@latest`,
    });
  }
  return fn as Factory;
}

/** The stream sink, closing its WebSocket server after itself, so `shutdown()` stops both. */
function closingServerToo(sink: Sink, server: StreamServerLike): Sink {
  return {
    name: sink.name,
    ...ifSet({ queueDefaults: sink.queueDefaults }),
    write: (batch: readonly EventRecord[]) => sink.write(batch),
    flush: () => sink.flush(),
    close: async () => {
      try {
        await sink.close();
      } finally {
        await server.close();
      }
    },
    ...(sink.health ? { health: () => sink.health?.() ?? { ok: true } } : {}),
  };
}

/** The entries whose value is set, so an option is passed only when there is one. */
function ifSet<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
