import type { DeliveringService } from './ingest-otlp.js';
import { plainAttributes } from './internal/attributes.js';
import { deliverValid } from './internal/deliver-valid.js';
import type { NormalSpan } from './internal/normal-span.js';
import { mapSpan } from './map-span.js';
import { type MappedRequest, sourceOf } from './map-spans.js';

/** `[seconds, nanoseconds]`, OpenTelemetry's `HrTime`. */
type HrTime = readonly [number, number];

/**
 * The parts of OpenTelemetry's `ReadableSpan` (sdk-trace-base 1.x and 2.x) the exporter reads;
 * declared here so `@obs/otlp` does not depend on the SDK.
 */
export interface ReadableSpanLike {
  name: string;
  kind: number;
  spanContext(): { traceId: string; spanId: string };
  /** SDK 2.x. */
  parentSpanContext?: { spanId: string } | undefined;
  /** SDK 1.x. */
  parentSpanId?: string | undefined;
  startTime: HrTime;
  endTime: HrTime;
  status: { code: number; message?: string | undefined };
  attributes: Readonly<Record<string, unknown>>;
  events: readonly {
    name: string;
    time: HrTime;
    attributes?: Readonly<Record<string, unknown>> | undefined;
  }[];
  resource: { attributes: Readonly<Record<string, unknown>> };
  instrumentationScope?: { name: string; version?: string | undefined } | undefined;
}

/** OpenTelemetry's `ExportResult`: code 0 success, 1 failed. */
export interface ExportResultLike {
  code: 0 | 1;
  error?: Error;
}

/** An OpenTelemetry `SpanExporter` that writes spans through an obs service. */
export interface ObsSpanExporter {
  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResultLike) => void): void;
  /** Resolves when obs has written every event accepted so far (`obs.flush()`). */
  forceFlush(): Promise<void>;
  /** Flushes; the obs service stays open (the application shuts it down). */
  shutdown(): Promise<void>;
}

/** The service the exporter writes through. */
export type ExportingService = DeliveringService & { flush(): Promise<void> };

const hexId = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`);
const TRACE_ID = hexId(32);
const SPAN_ID = hexId(16);
const nanos = ([s, ns]: HrTime): bigint => BigInt(Math.trunc(s)) * 1_000_000_000n + BigInt(Math.trunc(ns));

/**
 * An OpenTelemetry `SpanExporter` that maps finished spans to obs events (the same mapping as
 * `POST /v1/traces`) and delivers them through `obs`: no network hop, obs's queues, drop counting
 * and flush. Put it in a `BatchSpanProcessor` of the application's tracer provider. An export
 * succeeds once every sink stored its events; invalid spans are left out and the export fails
 * naming them, and so does a batch a sink could not store.
 */
export function createObsSpanExporter(obs: ExportingService): ObsSpanExporter {
  let stopped = false;
  return {
    export(spans, resultCallback) {
      if (stopped) {
        resultCallback({ code: 1, error: new Error('the obs span exporter is shut down') });
        return;
      }
      exportSpans(obs, spans).then(
        (rejected) =>
          resultCallback(
            rejected.length === 0 ? { code: 0 } : { code: 1, error: new Error(rejected.join('; ')) },
          ),
        (error: unknown) =>
          resultCallback({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    },
    forceFlush: () => obs.flush(),
    shutdown: async () => {
      stopped = true;
      await obs.flush();
    },
  };
}

async function exportSpans(obs: DeliveringService, spans: readonly ReadableSpanLike[]): Promise<string[]> {
  const mapped: MappedRequest = { inputs: [], owners: [], items: spans.length, rejected: new Map() };
  spans.forEach((span, index) => {
    const normal = normalizeReadable(span);
    if (typeof normal === 'string') {
      mapped.rejected.set(index, `span ${index} (${span.name}): ${normal}`);
      return;
    }
    const resource = plainAttributes(span.resource.attributes);
    for (const input of mapSpan(normal, sourceOf(resource))) {
      mapped.inputs.push(input);
      mapped.owners.push(index);
    }
  });
  await deliverValid(obs, mapped);
  return [...mapped.rejected.values()];
}

function normalizeReadable(span: ReadableSpanLike): NormalSpan | string {
  const { traceId, spanId } = span.spanContext();
  if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) return 'invalid trace id';
  if (!SPAN_ID.test(spanId) || /^0+$/.test(spanId)) return 'invalid span id';
  const parent = span.parentSpanContext?.spanId ?? span.parentSpanId ?? '';
  const start = nanos(span.startTime);
  const end = nanos(span.endTime);
  if (start <= 0n || end < start) return 'start time missing or after the end time';
  return {
    traceId,
    spanId,
    parentSpanId: SPAN_ID.test(parent) && !/^0+$/.test(parent) ? parent : '',
    name: span.name,
    kind: span.kind + 1,
    start,
    end,
    attributes: plainAttributes(span.attributes),
    events: span.events.map((e) => ({
      time: nanos(e.time),
      name: e.name,
      attributes: plainAttributes(e.attributes),
    })),
    status: { code: span.status.code, message: span.status.message ?? '' },
    scope: span.instrumentationScope
      ? { name: span.instrumentationScope.name, version: span.instrumentationScope.version ?? '' }
      : undefined,
  };
}
