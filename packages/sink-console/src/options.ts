import { type DiagLogger, parseOrThrow } from '@obs/core';
import { z } from 'zod';

/** What the console sink writes to: `process.stderr` or any writable with `write(text)`. */
export interface ConsoleStream {
  write(text: string): boolean;
  /** Set on a terminal: lines get colour (see `color`) and fit `columns`. */
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  once?(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener?(event: 'error' | 'drain' | 'close', listener: (error: Error) => void): unknown;
}

const isFunction = (value: unknown) => typeof value === 'function';
const isStream = (value: unknown) =>
  typeof value === 'object' && value !== null && isFunction((value as ConsoleStream).write);
const isLogger = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  isFunction((value as DiagLogger).error) &&
  isFunction((value as DiagLogger).warn);
const isEnv = (value: unknown) => typeof value === 'object' && value !== null;

/** Zod schema of {@link ConsoleSinkOptions}. */
export const ConsoleSinkOptionsSchema = z.strictObject({
  name: z.string().min(1).default('console'),
  stream: z.custom<ConsoleStream>(isStream, 'expected a writable stream with write(text)').optional(),
  color: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  width: z.number().int().min(20, 'expected at least 20 columns').max(10_000).optional(),
  showRun: z.boolean().default(false),
  holdMs: z.number().int().min(0).max(60_000).default(250),
  maxHeld: z.number().int().positive().default(1_000),
  maxTracked: z.number().int().positive().default(10_000),
  env: z
    .custom<Readonly<Record<string, string | undefined>>>(isEnv, 'expected an environment object')
    .optional(),
  logger: z.custom<DiagLogger>(isLogger, 'expected a DiagLogger with error() and warn()').optional(),
});

/** Options of `createConsoleSink`; see the README for each one. */
export type ConsoleSinkOptions = z.input<typeof ConsoleSinkOptionsSchema>;
/** Options after defaults are applied. */
export type ConsoleSinkSettings = z.output<typeof ConsoleSinkOptionsSchema>;

/** Validates options; throws `ObsValidationError` naming each bad field. */
export function parseConsoleSinkOptions(options: unknown): ConsoleSinkSettings {
  return parseOrThrow(ConsoleSinkOptionsSchema, options, 'console sink options');
}
