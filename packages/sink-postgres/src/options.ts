import { type DiagLogger, parseOrThrow } from '@obs/core';
import { DEFAULT_POSTGRES_SCHEMA, POSTGRES_SCHEMA_NAME_PATTERN } from '@obs/store-format';
import { z } from 'zod';

/** TLS settings handed to the driver as they are (`pg`'s `ssl`: `true`, or Node `tls.connect` options). */
const SslSchema = z.union(
  [z.boolean(), z.looseObject({})],
  'expected true/false or TLS options (ca, cert, key, rejectUnauthorized, servername…)',
);

/** Zod schema of {@link PostgresSinkOptions}; unknown keys are rejected. */
export const PostgresSinkOptionsSchema = z.strictObject({
  url: z
    .string('expected a connection URL')
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// connection URL'),
  schema: z
    .string()
    .regex(POSTGRES_SCHEMA_NAME_PATTERN, 'expected lower-case letters, digits and "_", at most 48')
    .default(DEFAULT_POSTGRES_SCHEMA),
  name: z.string().min(1).max(128).default('postgres'),
  ssl: SslSchema.optional(),
  /**
   * Batches written at once, each on its own connection (default 1: a process's events keep their
   * emission order among equal timestamps; run more processes, or raise it, for more throughput).
   */
  connections: z.number().int('expected a whole number of connections').min(1).max(32).default(1),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Daily partitions created ahead of the current day (default 2). */
  partitionsAhead: z.number().int().min(0).max(62).default(2),
  /** Longest wait of a caller-runs write (`writeSync`) for a handed batch to commit (default 30 s). */
  syncWriteTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  applicationName: z.string().max(63).default('obs-sink-postgres'),
  logger: z
    .custom<DiagLogger>((v) => typeof v === 'object' && v !== null, 'expected a DiagLogger')
    .optional(),
});

/** Options of `createPostgresSink`; see the README's options table. */
export type PostgresSinkOptions = z.input<typeof PostgresSinkOptionsSchema>;

/** Options with defaults applied. */
export type ResolvedPostgresSinkOptions = z.output<typeof PostgresSinkOptionsSchema>;

/** Validates options; throws `ObsValidationError` naming each bad option (never echoing the URL). */
export function parsePostgresSinkOptions(options: unknown): ResolvedPostgresSinkOptions {
  return parseOrThrow(PostgresSinkOptionsSchema, options, 'postgres sink options');
}
