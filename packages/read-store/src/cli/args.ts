import { parseArgs } from 'node:util';
import { ObsError } from '@obs/core';

/** Options every `obs` command understands (each command uses the ones that make sense for it). */
export const CLI_OPTIONS = {
  store: { type: 'string', short: 's' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  limit: { type: 'string', short: 'n' },
  type: { type: 'string', short: 't', multiple: true },
  status: { type: 'string' },
  source: { type: 'string' },
  run: { type: 'string', short: 'r' },
  session: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  text: { type: 'string' },
  order: { type: 'string' },
  search: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  format: { type: 'string' },
  'group-by': { type: 'string' },
  offsets: { type: 'boolean' },
  strict: { type: 'boolean' },
  db: { type: 'string' },
  into: { type: 'string' },
  trail: { type: 'string' },
  before: { type: 'string' },
  'key-file': { type: 'string' },
  'dry-run': { type: 'boolean' },
  restart: { type: 'boolean' },
} as const;

/** Parsed command line. */
export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  values: ReturnType<typeof parseCli>['values'];
}

function parseCli(argv: string[]) {
  return parseArgs({ args: argv, options: CLI_OPTIONS, allowPositionals: true, strict: true });
}

/** Codes of the `obs` command line's own failures. */
export const CLI_ERROR_CODES = {
  /** A bad command, option or argument. */
  USAGE: 'USAGE',
} as const;

/** A usage error: printed with a hint, exit code 2. */
export class UsageError extends ObsError<typeof CLI_ERROR_CODES.USAGE> {
  override name = 'UsageError';

  constructor(message: string) {
    super(CLI_ERROR_CODES.USAGE, message);
  }
}

/** Parses argv (without `node` and the script); throws `UsageError` for unknown or malformed options. */
export function parseCliArgs(argv: string[]): CliArgs {
  try {
    const { values, positionals } = parseCli(argv);
    return { command: positionals[0], positionals: positionals.slice(1), values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A positive whole number option, or `fallback`. */
export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} expects a positive whole number, got "${value}"`);
  return n;
}

/** An ISO time as it is, or a relative age like `15m`, `2h`, `7d` turned into the ISO time that long ago. */
export function timeOption(value: string | undefined, now = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const relative = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!relative) return value;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(now - Number(relative[1]) * unit).toISOString();
}
