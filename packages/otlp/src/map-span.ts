import type { EnvelopeInput } from '@obs/core';
import { MAX_EVENTS_PER_SPAN, SPAN_ROLE, spanEventId } from './event-ids.js';
import { isoOfNanos, millisBetween } from './internal/nanos.js';
import type { NormalSpan } from './internal/normal-span.js';
import { obsEventFromAttributes } from './internal/obs-attributes.js';
import { AttributeReader } from './internal/read-attributes.js';
import { spanRoleOf } from './internal/span-kind.js';

const STATUS_ERROR = 2;

/**
 * Maps one span (already checked: ids present, start set, end not before start) to its obs events:
 * `llm.call`, `tool.call` + `tool.result`, or `span`, then one `log`/`error` per span event.
 */
export function mapSpan(span: NormalSpan, source: string): EnvelopeInput[] {
  const { traceId, spanId, parentSpanId, start, end, attributes: attrs, scope } = span;
  const read = new AttributeReader(attrs);
  const failed = span.status.code === STATUS_ERROR;
  const statusMessage = span.status.message || undefined;
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
    kind: span.kind,
    start_time_unix_nano: start.toString(),
    end_time_unix_nano: end.toString(),
    ...(statusMessage ? { status_message: statusMessage.slice(0, 4096) } : {}),
    ...(scope ? { scope } : {}),
    attributes:
      read.consumed.size === 0
        ? attrs
        : Object.fromEntries(Object.entries(attrs).filter(([k]) => !read.consumed.has(k))),
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
  span.events.slice(0, MAX_EVENTS_PER_SPAN).forEach((event, i) => {
    const at = event.time;
    const eventAttrs = event.attributes;
    const eventOtel = {
      trace_id: traceId,
      span_id: spanId,
      time_unix_nano: at.toString(),
      name: event.name.slice(0, 512),
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

function errorInfo(span: NormalSpan, statusMessage: string | undefined): { message: string } {
  const exception = span.events.find((e) => e.name === 'exception');
  const message = exception ? text(exception.attributes['exception.message']) : undefined;
  return { message: statusMessage ?? message ?? 'span status is ERROR' };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const nonNegative = (n: number | undefined) => (n !== undefined && n >= 0 ? n : undefined);
