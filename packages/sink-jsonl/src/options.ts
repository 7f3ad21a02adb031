import { type DiagLogger, parseOrThrow } from '@obs/core';
import { MIN_AUDIT_KEY_BYTES } from '@obs/store-format';
import { z } from 'zod';

/** How durable a written batch is (see the README's guarantees table). */
export const JSONL_DURABILITIES = ['batch', 'flush', 'fsync'] as const;
/** `batch`, `flush` or `fsync`. */
export type JsonlDurability = (typeof JSONL_DURABILITIES)[number];

const isFunction = (value: unknown) => typeof value === 'function';
const isLogger = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  isFunction((value as DiagLogger).error) &&
  isFunction((value as DiagLogger).warn);

/** Zod schema of {@link JsonlSinkOptions}. */
export const JsonlSinkOptionsSchema = z.strictObject({
  dir: z.string().min(1, 'expected the directory the trail is written to'),
  name: z.string().min(1).default('jsonl'),
  fileName: z
    .string()
    .max(100)
    .regex(
      /^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/,
      'expected a plain file stem like "events" (no path, no extension)',
    )
    .refine((name) => !/\.(jsonl|gz)$/i.test(name), 'leave out the extension: ".jsonl" is added')
    .default('events'),
  routeBy: z.enum(['none', 'event_type']).default('none'),
  durability: z.enum(JSONL_DURABILITIES).default('batch'),
  rotation: z
    .strictObject({
      maxBytes: z.number().int().min(1024, 'expected at least 1024 bytes').optional(),
      intervalMs: z.number().int().positive().optional(),
      gzip: z.boolean().default(false),
      index: z.boolean().default(true),
    })
    .optional(),
  chain: z
    .union([
      z.literal(false),
      z.strictObject({
        everyLines: z.number().int().min(1).max(1_000_000).default(1000),
        everyMs: z.number().int().min(10).max(3_600_000).default(1000),
        key: z
          .union([z.string(), z.instanceof(Buffer)])
          .refine(
            (key) => key.length === 0 || Buffer.byteLength(key) >= MIN_AUDIT_KEY_BYTES,
            `expected an audit key of at least ${MIN_AUDIT_KEY_BYTES} bytes`,
          )
          .optional(),
      }),
    ])
    .default({ everyLines: 1000, everyMs: 1000 }),
  fileMode: z.number().int().min(0).max(0o777).default(0o640),
  logger: z.custom<DiagLogger>(isLogger, 'expected a DiagLogger with error() and warn()').optional(),
  clock: z.custom<() => number>(isFunction, 'expected a function returning epoch milliseconds').optional(),
});

/** Options of `createJsonlSink`; see the README for each one. */
export type JsonlSinkOptions = z.input<typeof JsonlSinkOptionsSchema>;
/** Options after defaults are applied. */
export type JsonlSinkSettings = z.output<typeof JsonlSinkOptionsSchema>;

/** Validates options; throws `ObsValidationError` naming each bad field. */
export function parseJsonlSinkOptions(options: unknown): JsonlSinkSettings {
  return parseOrThrow(JsonlSinkOptionsSchema, options, 'JSONL sink options');
}
