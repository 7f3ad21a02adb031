import { type DiagLogger, parseOrThrow } from '@obs/core';
import { z } from 'zod';

const ms = (what: string) => z.number().int(`expected ${what} as whole milliseconds`).nonnegative();

/** Zod schema of {@link SqliteSinkOptions}; unknown keys are rejected. */
export const SqliteSinkOptionsSchema = z.strictObject({
  path: z.string().min(1, 'expected a database file path (or ":memory:")'),
  name: z.string().min(1).max(128).default('sqlite'),
  synchronous: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL'),
  busyTimeoutMs: ms('the busy timeout').max(60_000).default(50),
  /** @deprecated Ignored: a `SQLITE_BUSY` past `busyTimeoutMs` is retried by the service's queue (`maxRetries`, `retryBaseMs`). */
  busyRetryMs: ms('the busy retry budget').optional(),
  openTimeoutMs: ms('the open timeout').default(10_000),
  cacheSizeKiB: z.number().int().min(1024, 'expected at least 1024 KiB').default(65_536),
  walAutocheckpointPages: z.number().int().nonnegative().default(1000),
  checkpoint: z
    .enum(['background', 'writer'], 'expected "background" (a thread of its own) or "writer"')
    .default('background'),
  checkpointIntervalMs: ms('the checkpoint interval').min(1).max(60_000).default(5),
  createDirectory: z.boolean().default(true),
  worker: z.boolean().default(false),
  logger: z
    .custom<DiagLogger>((v) => typeof v === 'object' && v !== null, 'expected a DiagLogger')
    .optional(),
});

/** Options of `createSqliteSink`; see the README's options table. */
export type SqliteSinkOptions = z.input<typeof SqliteSinkOptionsSchema>;

/** Options with defaults applied. */
export type ResolvedSqliteSinkOptions = z.output<typeof SqliteSinkOptionsSchema>;

/** Validates options; throws `ObsValidationError` naming each bad option and what was expected. */
export function parseSqliteSinkOptions(options: unknown): ResolvedSqliteSinkOptions {
  return parseOrThrow(SqliteSinkOptionsSchema, options, 'sqlite sink options');
}
