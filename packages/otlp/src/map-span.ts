import type { EnvelopeInput } from '@obs/core';
import { MAX_EVENTS_PER_SPAN, SPAN_ROLE, spanEventId } from './event-ids.js';
import type { Attributes } from './internal/attributes.js';
import { isoOfNanos, millisBetween } from './internal/nanos.js';
import type { NormalSpan } from './internal/normal-span.js';
import { obsEventFromAttributes } from './internal/obs-attributes.js';
import { AttributeReader } from './internal/read-attributes.js';
import { spanRoleOf } from './internal/span-kind.js';

const STATUS_ERROR = 2;

type Payload = Record<string, unknown>;

/** Sets `key` only when there is a value: payloads carry no `undefined` fields. */
function put(target: Payload, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/**
 * Maps one span (already checked: ids present, start set, end not before start) to its obs events:
 * `llm.call`, `tool.call` + `tool.result`, or `span`, then one `log`/`error` per span event.
 */
export function mapSpan(span: NormalSpan, source: string): EnvelopeInput[] {
  const { traceId, spanId, parentSpanId, start, end, attributes: attrs } = span;
  const read = new AttributeReader(attrs);
  const failed = span.status.code === STATUS_ERROR;
  const statusMessage = span.status.message || undefined;
  const name = span.name === '' ? 'unnamed' : span.name.length > 512 ? span.name.slice(0, 512) : span.name;
  const id = spanEventId(traceId, spanId, SPAN_ROLE.primary);
  const run_id = read.string('runId', 256) ?? traceId;
  const session_id = read.string('sessionId', 256) ?? null;
  const parent_event_id = parentSpanId ? spanEventId(traceId, parentSpanId, SPAN_ROLE.primary) : null;
  const timestamp = isoOfNanos(start)!;
  const duration_ms = millisBetween(start, end);
  const status = failed ? 'error' : 'ok';
  const event = (event_id: string, event_type: string, payload: Payload): EnvelopeInput => ({
    source,
    run_id,
    session_id,
    parent_event_id,
    event_id,
    event_type,
    timestamp,
    duration_ms,
    status,
    payload,
  });
  const events: EnvelopeInput[] = [];
  const own = obsEventFromAttributes(attrs);
  if (own) {
    events.push({
      ...event(own.event_id ?? id, own.event_type, own.payload),
      ...own,
      event_id: own.event_id ?? id,
    });
    const result = obsEventFromAttributes(attrs, true);
    if (result) {
      const resultId = result.event_id ?? spanEventId(traceId, spanId, SPAN_ROLE.result);
      events.push({
        ...event(resultId, result.event_type, result.payload),
        parent_event_id: own.event_id ?? id,
        timestamp: isoOfNanos(end) ?? timestamp,
        ...result,
        event_id: resultId,
      });
    }
  } else {
    const role = spanRoleOf(attrs);
    if (role === 'llm') {
      const payload = llmPayload(read, duration_ms);
      payload['otel'] = otelOf(span, name, statusMessage, read);
      events.push(event(id, 'llm.call', payload));
    } else if (role === 'tool') {
      const tool = read.string('toolName') ?? name;
      const call_id = read.string('toolCallId');
      const args = read.json('toolArguments');
      const result = read.json('toolResult');
      const call: Payload = { tool };
      put(call, 'call_id', call_id);
      put(call, 'arguments', args);
      call['otel'] = otelOf(span, name, statusMessage, read);
      const callEvent = event(id, 'tool.call', call);
      callEvent.duration_ms = null;
      callEvent.status = null;
      events.push(callEvent);
      const outcome: Payload = { tool };
      put(outcome, 'call_id', call_id);
      outcome['success'] = !failed;
      put(outcome, 'output', result);
      if (failed) outcome['error'] = errorInfo(span, statusMessage);
      const resultEvent = event(spanEventId(traceId, spanId, SPAN_ROLE.result), 'tool.result', outcome);
      resultEvent.parent_event_id = id;
      resultEvent.timestamp = isoOfNanos(end) ?? timestamp;
      events.push(resultEvent);
    } else {
      const payload: Payload = { operation: name };
      put(payload, 'component', read.string('agentName'));
      const operation = attrs['gen_ai.operation.name'];
      payload['layer'] = typeof operation === 'string' ? operation.slice(0, 512) : 'otel';
      if (failed) payload['error'] = errorInfo(span, statusMessage);
      payload['otel'] = otelOf(span, name, statusMessage, read);
      events.push(event(id, 'span', payload));
    }
  }
  const spanEvents =
    span.events.length > MAX_EVENTS_PER_SPAN ? span.events.slice(0, MAX_EVENTS_PER_SPAN) : span.events;
  for (let i = 0; i < spanEvents.length; i++) {
    const { time, name: eventName, attributes: eventAttrs } = spanEvents[i]!;
    const eventOtel = {
      trace_id: traceId,
      span_id: spanId,
      time_unix_nano: time.toString(),
      name: eventName.slice(0, 512),
    };
    const exception = eventName === 'exception';
    const payload: Payload = exception
      ? exceptionPayload(eventAttrs, name, !failed)
      : { level: 'info', message: eventOtel.name || 'span event', fields: eventAttrs };
    payload['otel'] = eventOtel;
    const item = event(
      spanEventId(traceId, spanId, SPAN_ROLE.firstEvent + i),
      exception ? 'error' : 'log',
      payload,
    );
    item.parent_event_id = id;
    item.timestamp = isoOfNanos(time === 0n ? start : time) ?? timestamp;
    item.duration_ms = null;
    item.status = exception ? 'error' : null;
    events.push(item);
  }
  return events;
}

function exceptionPayload(attrs: Attributes, stage: string, recoverable: boolean): Payload {
  const payload: Payload = { stage, message: text(attrs['exception.message']) ?? 'exception' };
  put(payload, 'stack', text(attrs['exception.stacktrace']));
  put(payload, 'type', text(attrs['exception.type'])?.slice(0, 512));
  payload['recoverable'] = recoverable;
  return payload;
}

/** `payload.otel`: the span's identity, exact times, scope, and the attributes no payload field holds. */
function otelOf(
  span: NormalSpan,
  name: string,
  statusMessage: string | undefined,
  read: AttributeReader,
): Payload {
  const otel: Payload = { trace_id: span.traceId, span_id: span.spanId };
  if (span.parentSpanId) otel['parent_span_id'] = span.parentSpanId;
  otel['name'] = name;
  otel['kind'] = span.kind;
  otel['start_time_unix_nano'] = span.start.toString();
  otel['end_time_unix_nano'] = span.end.toString();
  if (statusMessage) otel['status_message'] = statusMessage.slice(0, 4096);
  if (span.scope) otel['scope'] = span.scope;
  otel['attributes'] =
    read.consumed.size === 0 ? span.attributes : unconsumed(span.attributes, read.consumed);
  return otel;
}

function unconsumed(attrs: Attributes, consumed: ReadonlySet<string>): Attributes {
  const out: Attributes = {};
  for (const key in attrs) if (!consumed.has(key)) out[key] = attrs[key]!;
  return out;
}

function llmPayload(read: AttributeReader, latency: number): Payload {
  const input = read.json('inputMessages');
  const output = read.json('outputMessages');
  const prompt = read.count('inputTokens');
  const completion = read.count('outputTokens');
  const payload: Payload = {
    provider: read.string('provider') ?? 'unknown',
    model: read.string('model') ?? 'unknown',
  };
  put(payload, 'prompt_tokens', prompt);
  put(payload, 'completion_tokens', completion);
  put(
    payload,
    'total_tokens',
    read.count('totalTokens') ??
      (prompt !== undefined && completion !== undefined ? prompt + completion : undefined),
  );
  put(payload, 'cache_read_tokens', read.count('cacheReadTokens'));
  put(payload, 'cache_write_tokens', read.count('cacheWriteTokens'));
  put(payload, 'reasoning_tokens', read.count('reasoningTokens'));
  put(payload, 'cost_usd', read.number('cost', 0));
  put(payload, 'temperature', read.number('temperature'));
  put(payload, 'finish_reason', read.string('finishReason', 64));
  payload['latency_ms'] = latency;
  put(payload, 'input', input);
  put(payload, 'output', output);
  return payload;
}

function errorInfo(span: NormalSpan, statusMessage: string | undefined): { message: string } {
  const exception = span.events.find((e) => e.name === 'exception');
  const message = exception ? text(exception.attributes['exception.message']) : undefined;
  return { message: statusMessage ?? message ?? 'span status is ERROR' };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
