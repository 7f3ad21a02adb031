import type { Attributes } from './attributes.js';

/** A span in the one shape the mapping reads, from OTLP messages or from OpenTelemetry's `ReadableSpan`. */
export interface NormalSpan {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters. */
  spanId: string;
  /** 16 hex characters, or '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP `SpanKind` (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  kind: number;
  /** Nanoseconds since the epoch. */
  start: bigint;
  end: bigint;
  attributes: Attributes;
  events: { time: bigint; name: string; attributes: Attributes }[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  scope: { name: string; version: string } | undefined;
}
