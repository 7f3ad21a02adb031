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

/** Calls a logger method and swallows anything it throws: diagnostics never break the host. */
export function report(
  logger: DiagLogger,
  level: 'error' | 'warn',
  message: string,
  detail?: Record<string, unknown>,
): void {
  try {
    logger[level](message, detail);
  } catch {
    // a broken logger must not take the host down
  }
}
