import type { EnvelopeInput } from '@obs/core';
import { MAX_EVENTS_PER_SPAN, SPAN_ROLE, spanEventId } from './event-ids.js';
import { type Attributes, attributes } from './internal/attributes.js';
import { isZero, toHex } from './internal/hex.js';
import { toBigInt } from './internal/int64.js';
import { isoOfNanos, millisBetween } from './internal/nanos.js';
import { obsEventFromAttributes } from './internal/obs-attributes.js';
import type { SpanMessage, TraceRequestMessage } from './internal/otlp-message.js';
import { AttributeReader } from './internal/read-attributes.js';
import { spanRoleOf } from './internal/span-kind.js';

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

const STATUS_ERROR = 2;

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
        if (problem !== undefined) {
          out.rejected.set(index, `span ${index}: ${problem}`);
          continue;
        }
        for (const input of mapSpan(span, source, resource, scope)) {
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
  const start = toBigInt(span.startTimeUnixNano);
  if (start === 0n) return 'startTimeUnixNano is missing';
  if (isoOfNanos(start) === undefined) return 'startTimeUnixNano is outside the years 1970-9999';
  if (toBigInt(span.endTimeUnixNano) < start) return 'endTimeUnixNano is before startTimeUnixNano';
  return undefined;
}

function mapSpan(
  span: SpanMessage,
  source: string,
  resource: Attributes,
  scope: { name: string; version: string } | undefined,
): EnvelopeInput[] {
  const traceId = toHex(span.traceId);
  const spanId = toHex(span.spanId);
  const parentSpanId =
    span.parentSpanId && span.parentSpanId.length === 8 && !isZero(span.parentSpanId)
      ? toHex(span.parentSpanId)
      : '';
  const start = toBigInt(span.startTimeUnixNano);
  const end = toBigInt(span.endTimeUnixNano);
  const attrs = attributes(span.attributes);
  const read = new AttributeReader(attrs);
  const failed = span.status?.code === STATUS_ERROR;
  const statusMessage = span.status?.message || undefined;
  const name = (span.name || 'unnamed').slice(0, 512);
  const id = spanEventId(traceId, spanId, SPAN_ROLE.primary);
  const base = {
    source,
    run_id: read.string('runId', 256) ?? traceId,
    session_id: read.string('sessionId', 256) ?? null,
    parent_event_id: parentSpanId ? spanEventId(traceId, parentSpanId, SPAN_ROLE.primary) : null,
  };
  const own = obsEventFromAttributes(attrs);
  const timestamp = isoOfNanos(start)!;
  const duration_ms = millisBetween(start, end);
  const status = failed ? 'error' : 'ok';
  const otel = () => ({
    trace_id: traceId,
    span_id: spanId,
    ...(parentSpanId ? { parent_span_id: parentSpanId } : {}),
    name,
    kind: span.kind ?? 0,
    start_time_unix_nano: start.toString(),
    end_time_unix_nano: end.toString(),
    ...(statusMessage ? { status_message: statusMessage.slice(0, 4096) } : {}),
    ...(scope ? { scope } : {}),
    resource,
    attributes: Object.fromEntries(
      Object.entries(attrs).filter(([k]) => !read.consumed.has(k) && !k.startsWith('obs.')),
    ),
  });
  const events: EnvelopeInput[] = [];
  if (own) {
    events.push({ ...base, timestamp, duration_ms, status, ...own, event_id: own.event_id ?? id });
  } else {
    const role = spanRoleOf(attrs);
    if (role === 'llm') {
      events.push({
        ...base,
        event_id: id,
        event_type: 'llm.call',
        timestamp,
        duration_ms,
        status,
        payload: llmPayload(read, duration_ms, otel),
      });
    } else if (role === 'tool') {
      const tool = read.string('toolName') ?? name;
      const call_id = read.string('toolCallId');
      const args = read.json('toolArguments');
      const result = read.json('toolResult');
      events.push({
        ...base,
        event_id: id,
        event_type: 'tool.call',
        timestamp,
        payload: {
          tool,
          ...(call_id ? { call_id } : {}),
          ...(args === undefined ? {} : { arguments: args }),
          otel: otel(),
        },
      });
      events.push({
        ...base,
        event_id: spanEventId(traceId, spanId, SPAN_ROLE.result),
        event_type: 'tool.result',
        parent_event_id: id,
        timestamp: isoOfNanos(end) ?? timestamp,
        duration_ms,
        status,
        payload: {
          tool,
          ...(call_id ? { call_id } : {}),
          success: !failed,
          ...(result === undefined ? {} : { output: result }),
          ...(failed ? { error: errorInfo(span, statusMessage) } : {}),
        },
      });
    } else {
      const component = read.string('agentName');
      events.push({
        ...base,
        event_id: id,
        event_type: 'span',
        timestamp,
        duration_ms,
        status,
        payload: {
          operation: name,
          ...(component ? { component } : {}),
          layer:
            typeof attrs['gen_ai.operation.name'] === 'string'
              ? String(attrs['gen_ai.operation.name']).slice(0, 512)
              : 'otel',
          ...(failed ? { error: errorInfo(span, statusMessage) } : {}),
          otel: otel(),
        },
      });
    }
  }
  (span.events ?? []).slice(0, MAX_EVENTS_PER_SPAN).forEach((event, i) => {
    const at = toBigInt(event.timeUnixNano);
    const eventAttrs = attributes(event.attributes);
    const eventOtel = {
      trace_id: traceId,
      span_id: spanId,
      time_unix_nano: at.toString(),
      name: (event.name ?? '').slice(0, 512),
    };
    const common = {
      ...base,
      event_id: spanEventId(traceId, spanId, SPAN_ROLE.firstEvent + i),
      parent_event_id: id,
      timestamp: isoOfNanos(at === 0n ? start : at) ?? timestamp,
    };
    if (event.name === 'exception') {
      events.push({
        ...common,
        event_type: 'error',
        status: 'error',
        payload: {
          stage: name,
          message: text(eventAttrs['exception.message']) ?? 'exception',
          ...(text(eventAttrs['exception.stacktrace'])
            ? { stack: text(eventAttrs['exception.stacktrace']) }
            : {}),
          ...(text(eventAttrs['exception.type'])
            ? { type: text(eventAttrs['exception.type'])!.slice(0, 512) }
            : {}),
          recoverable: !failed,
          otel: eventOtel,
        },
      });
    } else {
      events.push({
        ...common,
        event_type: 'log',
        payload: {
          level: 'info',
          message: eventOtel.name || 'span event',
          fields: eventAttrs,
          otel: eventOtel,
        },
      });
    }
  });
  return events;
}

function llmPayload(
  read: AttributeReader,
  latency: number,
  otel: () => Record<string, unknown>,
): Record<string, unknown> {
  const input = read.json('inputMessages');
  const output = read.json('outputMessages');
  const fields: Record<string, unknown> = {
    provider: read.string('provider') ?? 'unknown',
    model: read.string('model') ?? 'unknown',
    prompt_tokens: read.count('inputTokens'),
    completion_tokens: read.count('outputTokens'),
    total_tokens: read.count('totalTokens'),
    cache_read_tokens: read.count('cacheReadTokens'),
    cache_write_tokens: read.count('cacheWriteTokens'),
    reasoning_tokens: read.count('reasoningTokens'),
    cost_usd: nonNegative(read.number('cost')),
    temperature: read.number('temperature'),
    finish_reason: read.string('finishReason', 64),
    latency_ms: latency,
    input,
    output,
  };
  if (
    fields['total_tokens'] === undefined &&
    typeof fields['prompt_tokens'] === 'number' &&
    typeof fields['completion_tokens'] === 'number'
  ) {
    fields['total_tokens'] = fields['prompt_tokens'] + fields['completion_tokens'];
  }
  const payload = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  payload['otel'] = otel();
  return payload;
}

function errorInfo(span: SpanMessage, statusMessage: string | undefined): { message: string; type?: string } {
  const exception = (span.events ?? []).find((e) => e.name === 'exception');
  const message = exception ? text(attributes(exception.attributes)['exception.message']) : undefined;
  return { message: statusMessage ?? message ?? 'span status is ERROR' };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const nonNegative = (n: number | undefined) => (n !== undefined && n >= 0 ? n : undefined);
