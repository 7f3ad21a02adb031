/** Levels of obs's own diagnostics, most severe first. */
export type DiagLevel = 'error' | 'warn' | 'info' | 'debug';

/** Where obs reports its own problems (a failing sink, a dropped batch). Silent unless you give one. */
export interface DiagLogger {
  error(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  info?(message: string, detail?: Record<string, unknown>): void;
  debug?(message: string, detail?: Record<string, unknown>): void;
}

/** A logger that discards everything (the default). */
export const silentLogger: DiagLogger = { error() {}, warn() {} };

/** A logger that writes one line per message to stderr, prefixed with `[obs:component]`. */
export function consoleLogger(component = 'obs', level: DiagLevel = 'warn'): DiagLogger {
  const order: DiagLevel[] = ['error', 'warn', 'info', 'debug'];
  const allowed = (l: DiagLevel) => order.indexOf(l) <= order.indexOf(level);
  const write = (l: DiagLevel) => (message: string, detail?: Record<string, unknown>) => {
    if (allowed(l))
      process.stderr.write(
        `[obs:${component}] ${l} ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`,
      );
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
}

/** One level's method of a {@link ComponentLogger}. */
export type DiagMethod = (message: string, detail?: Record<string, unknown>) => void;

/**
 * A guarded, namespaced logger for one obs component, made by {@link diag}. Every method is present,
 * prefixes the component, and never throws. It is itself a {@link DiagLogger}.
 */
export interface ComponentLogger {
  /** The namespace put before every message, e.g. `sink-sqlite`. */
  readonly component: string;
  error: DiagMethod;
  warn: DiagMethod;
  info: DiagMethod;
  debug: DiagMethod;
}

/** Options of {@link diag}. */
export interface DiagOptions {
  /** Least severe level passed on to the logger (default `debug`: whatever the logger implements). */
  level?: DiagLevel;
}

const LEVELS: readonly DiagLevel[] = ['error', 'warn', 'info', 'debug'];
const ignore: DiagMethod = () => {};

/**
 * Wraps the host's `logger` for one obs component; how obs code reports its own problems.
 *
 * - **Silent by default**: with no `logger` every method does nothing.
 * - **Namespaced**: each message reaches the logger as `[component] message`; `detail` is passed as is.
 * - **Guarded**: anything the logger throws is swallowed, so a broken logger never breaks the host.
 * - **Filtered**: messages less severe than `options.level` are dropped, and so are `info`/`debug`
 *   when the logger does not implement them (`DiagLogger` makes those two optional).
 *
 * @example
 * ```ts
 * const log = diag(options.logger, 'sink-sqlite');
 * log.warn('the checkpoint thread stopped', { error: 'SQLITE_IOERR' });
 * // → logger.warn('[sink-sqlite] the checkpoint thread stopped', { error: 'SQLITE_IOERR' })
 * ```
 */
export function diag(
  logger: DiagLogger | undefined,
  component: string,
  options: DiagOptions = {},
): ComponentLogger {
  const threshold = LEVELS.indexOf(options.level ?? 'debug');
  const prefix = `[${component}] `;
  const method = (level: DiagLevel): DiagMethod => {
    if (logger === undefined || LEVELS.indexOf(level) > threshold) return ignore;
    return (message, detail) => {
      try {
        // looked up on each call (a logger may add or swap methods); called on the logger, keeping `this`
        const result: unknown = logger[level]?.(prefix + message, detail);
        // an async logger's rejection must not become an unhandled rejection either
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function')
          (result as PromiseLike<unknown>).then(undefined, ignore);
      } catch {
        // a broken logger must not take the host down
      }
    };
  };
  return {
    component,
    error: method('error'),
    warn: method('warn'),
    info: method('info'),
    debug: method('debug'),
  };
}
