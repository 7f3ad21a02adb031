import type { EnvelopeInput } from '@obs/core';
import { type Attributes, attributes } from './internal/attributes.js';
import { isZero, toHex } from './internal/hex.js';
import { toBigInt } from './internal/int64.js';
import { inIsoRange } from './internal/nanos.js';
import type { NormalSpan } from './internal/normal-span.js';
import type { SpanMessage, TraceRequestMessage } from './internal/otlp-message.js';
import { mapSpan } from './map-span.js';

/** The obs events of an OTLP request, with the index of the span or record each came from. */
export interface MappedRequest {
  /** Envelope inputs for `Observability.deliver`. */
  inputs: EnvelopeInput[];
  /** `owners[i]`: which span (or log record) of the request `inputs[i]` came from. */
  owners: number[];
  /** Spans or log records in the request. */
  items: number;
  /** Spans or log records refused before mapping, by index, with the reason. */
  rejected: Map<number, string>;
}

/** Options of {@link mapTraceRequest}. */
export interface MapOptions {
  /** `source` of events whose resource has no `service.name` (default `otlp`). */
  defaultSource?: string;
}

/** Maps every span of an `ExportTraceServiceRequest` to obs events (see the README's mapping table). */
export function mapTraceRequest(request: TraceRequestMessage, options: MapOptions = {}): MappedRequest {
  const out: MappedRequest = { inputs: [], owners: [], items: 0, rejected: new Map() };
  for (const group of request.resourceSpans ?? []) {
    const resource = attributes(group.resource?.attributes);
    const source = sourceOf(resource, options.defaultSource);
    for (const scopeSpans of group.scopeSpans ?? []) {
      const scope = scopeSpans.scope
        ? { name: scopeSpans.scope.name ?? '', version: scopeSpans.scope.version ?? '' }
        : undefined;
      for (const span of scopeSpans.spans ?? []) {
        const index = out.items++;
        const problem = invalidSpan(span);
        const normal = problem === undefined ? normalize(span, scope) : undefined;
        const timeProblem = normal === undefined ? problem : invalidTimes(normal);
        if (normal === undefined || timeProblem !== undefined) {
          out.rejected.set(index, `span ${index}: ${timeProblem}`);
          continue;
        }
        for (const input of mapSpan(normal, source)) {
          out.inputs.push(input);
          out.owners.push(index);
        }
      }
    }
  }
  return out;
}

/** `service.name` of a resource, else the default. */
export function sourceOf(resource: Attributes, fallback = 'otlp'): string {
  const name = resource['service.name'];
  return typeof name === 'string' && name !== '' ? name.slice(0, 256) : fallback;
}

function invalidSpan(span: SpanMessage): string | undefined {
  if (span.traceId?.length !== 16 || isZero(span.traceId)) return 'traceId must be 16 bytes, not all zero';
  if (span.spanId?.length !== 8 || isZero(span.spanId)) return 'spanId must be 8 bytes, not all zero';
  if (span.parentSpanId && span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8)
    return 'parentSpanId must be empty or 8 bytes';
  return undefined;
}

function invalidTimes(span: NormalSpan): string | undefined {
  if (span.start === 0n) return 'startTimeUnixNano is missing';
  if (!inIsoRange(span.start)) return 'startTimeUnixNano is outside the years 1970-9999';
  if (span.end < span.start) return 'endTimeUnixNano is before startTimeUnixNano';
  return undefined;
}

function normalize(span: SpanMessage, scope: NormalSpan['scope']): NormalSpan {
  const parent = span.parentSpanId;
  return {
    traceId: toHex(span.traceId),
    spanId: toHex(span.spanId),
    parentSpanId: parent && parent.length === 8 && !isZero(parent) ? toHex(parent) : '',
    name: span.name ?? '',
    kind: span.kind ?? 0,
    start: toBigInt(span.startTimeUnixNano),
    end: toBigInt(span.endTimeUnixNano),
    attributes: attributes(span.attributes),
    events: (span.events ?? []).map((e) => ({
      time: toBigInt(e.timeUnixNano),
      name: e.name ?? '',
      attributes: attributes(e.attributes),
    })),
    status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
    scope,
  };
}
