import { type DiagLogger, parseOrThrow } from '@obs/core';
import { z } from 'zod';

const isLogger = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as DiagLogger).error === 'function' &&
  typeof (value as DiagLogger).warn === 'function';

/** Zod schema of {@link OtlpSinkOptions}. */
export const OtlpSinkOptionsSchema = z.strictObject({
  /** Sink name in stats and routes (default `otlp`). */
  name: z.string().min(1).default('otlp'),
  /** Base endpoint, like `OTEL_EXPORTER_OTLP_ENDPOINT`: `/v1/traces` and `/v1/logs` are appended. */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL of an OTLP/HTTP endpoint' }),
  /** Extra request headers (an API key, `Authorization`). */
  headers: z.record(z.string().min(1), z.string()).default({}),
  protocol: z
    .enum(['http/protobuf', 'http/json'], { error: 'expected http/protobuf or http/json' })
    .default('http/protobuf'),
  compression: z.enum(['gzip', 'none'], { error: 'expected gzip or none' }).default('none'),
  /** Milliseconds one export request may take (default 10 000). */
  timeoutMs: z.number().int().positive().max(600_000).default(10_000),
  /** Longest `Retry-After` honoured, in milliseconds (default 60 000). */
  maxRetryAfterMs: z.number().int().nonnegative().max(3_600_000).default(60_000),
  logger: z.custom<DiagLogger>(isLogger, 'expected a DiagLogger with error() and warn()').optional(),
});

/** Options of `createOtlpSink`; see the README. */
export type OtlpSinkOptions = z.input<typeof OtlpSinkOptionsSchema>;
/** Options after defaults. */
export type OtlpSinkSettings = z.output<typeof OtlpSinkOptionsSchema>;

/** Validates options; throws `ObsValidationError` naming each bad field. */
export function parseOtlpSinkOptions(options: unknown): OtlpSinkSettings {
  return parseOrThrow(OtlpSinkOptionsSchema, options, 'OTLP sink options');
}
