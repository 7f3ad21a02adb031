import { createHash } from 'node:crypto';
import type { Envelope } from '@obs/core';
import type { OtlpFormat } from '../decode-request.js';
import { nanosOfDuration, nanosOfEpochMillis } from './nanos.js';
import { OBS_ATTRIBUTES, OBS_RESULT_ATTRIBUTES } from './obs-attributes.js';
import { type ExportItem, isToolPair, type ToolPair } from './tool-pairs.js';

/** An OTLP/JSON `AnyValue`. */
type JsonAnyValue =
  | { stringValue: string }
  | { intValue: string | number }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: JsonAnyValue[] } };
type JsonKeyValue = { key: string; value: JsonAnyValue };

/** Export requests in OTLP/JSON form (hex ids, decimal nanoseconds), by signal; undefined when empty. */
export interface OtlpRequests {
  traces: { resourceSpans: unknown[] } | undefined;
  logs: { resourceLogs: unknown[] } | undefined;
}

const SCOPE = { name: '@obs/otlp' };
/** Event types exported as spans; any other event with a duration is one too. */
const SPAN_TYPES = new Set(['span', 'llm.call', 'tool.call', 'tool.result']);
const SEVERITY: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
const STATUS_CODE = { ok: 1, error: 2 } as const;
const KIND_INTERNAL = 1;
const KIND_CLIENT = 3;
const HEX32 = /^[0-9a-f]{32}$/;

/**
 * How ids, nanoseconds and 64-bit integers are written for the request's format: OTLP/JSON wants
 * hex and decimal text; protobufjs encodes bytes and `{ low, high }` / numbers without parsing text.
 */
interface Wire {
  id(hex: string): string | Uint8Array;
  nanos(ns: bigint): string | { low: number; high: number; unsigned: true };
  int(n: number): string | number;
}
const JSON_WIRE: Wire = { id: (hex) => hex, nanos: (ns) => ns.toString(), int: (n) => String(n) };
const PROTOBUF_WIRE: Wire = {
  id: (hex) => Buffer.from(hex, 'hex'),
  nanos: (ns) => ({ low: Number(BigInt.asUintN(32, ns)), high: Number(ns >> 32n), unsigned: true }),
  int: (n) => n,
};
/** Set by `toOtlpRequests` for the (synchronous) build of one request. */
let wire: Wire = JSON_WIRE;

let lastRun = '';
let lastTrace = '';
/** The trace id of a run: the run id itself when it is one (it came from OTLP), else a digest of it. */
export function traceIdOfRun(runId: string): string {
  if (HEX32.test(runId) && !/^0+$/.test(runId)) return runId;
  if (runId !== lastRun) {
    lastRun = runId;
    lastTrace = createHash('sha256').update(runId).digest('hex').slice(0, 32);
  }
  return lastTrace;
}

/** The span id of an event: the last 64 bits of its UUIDv7 (random, never all zero: they hold the variant). */
export const spanIdOfEvent = (eventId: string): string => eventId.replaceAll('-', '').slice(16);

/**
 * Turns obs events into OTLP export requests: timed events (`span`, `llm.call`, `tool.call`,
 * `tool.result`, anything with a duration) as spans with GenAI attributes, a tool call with its
 * result as one `execute_tool` span, every other event as a log record in its parent's span; each
 * carries `obs.*` attributes (the result of a pair `obs.result.*`) so obs can take it back as it was.
 */
export function toOtlpRequests(items: readonly ExportItem[], format: OtlpFormat = 'json'): OtlpRequests {
  wire = format === 'protobuf' ? PROTOBUF_WIRE : JSON_WIRE;
  const spans = new Map<string, unknown[]>();
  const logs = new Map<string, unknown[]>();
  const add = (target: Map<string, unknown[]>, source: string, item: unknown) => {
    const list = target.get(source);
    if (list === undefined) target.set(source, [item]);
    else list.push(item);
  };
  for (const item of items) {
    if (isToolPair(item)) {
      add(spans, item.call.source, toToolSpan(item));
      continue;
    }
    const isSpan = SPAN_TYPES.has(item.event_type) || item.duration_ms !== null;
    add(isSpan ? spans : logs, item.source, isSpan ? toSpan(item) : toLogRecord(item));
  }
  const resource = (source: string) => ({ attributes: [kv('service.name', source)] });
  return {
    traces:
      spans.size === 0
        ? undefined
        : {
            resourceSpans: [...spans].map(([source, list]) => ({
              resource: resource(source),
              scopeSpans: [{ scope: SCOPE, spans: list }],
            })),
          },
    logs:
      logs.size === 0
        ? undefined
        : {
            resourceLogs: [...logs].map(([source, list]) => ({
              resource: resource(source),
              scopeLogs: [{ scope: SCOPE, logRecords: list }],
            })),
          },
  };
}

function toSpan(e: Envelope): Record<string, unknown> {
  const start = nanosOfEpochMillis(Date.parse(e.timestamp));
  const end = start + nanosOfDuration(e.duration_ms ?? 0);
  return {
    traceId: wire.id(traceIdOfRun(e.run_id)),
    spanId: wire.id(spanIdOfEvent(e.event_id)),
    ...(e.parent_event_id ? { parentSpanId: wire.id(spanIdOfEvent(e.parent_event_id)) } : {}),
    name: spanName(e),
    kind: e.event_type === 'llm.call' ? KIND_CLIENT : KIND_INTERNAL,
    startTimeUnixNano: wire.nanos(start),
    endTimeUnixNano: wire.nanos(end),
    attributes: [...genAiAttributes(e), ...obsAttributes(e)],
    status: statusOf(e),
  };
}

/** A tool call and its result as one span: from the call to the result, with the result's status. */
function toToolSpan({ call, result }: ToolPair): Record<string, unknown> {
  const span = toSpan(call);
  const end = Math.max(Date.parse(result.timestamp), Date.parse(call.timestamp));
  span['endTimeUnixNano'] = wire.nanos(nanosOfEpochMillis(end));
  const output = result.payload['output'];
  const attributes = span['attributes'] as JsonKeyValue[];
  if (output !== undefined) attributes.push(kv('gen_ai.tool.call.result', JSON.stringify(output)));
  attributes.push(...obsAttributes(result, OBS_RESULT_ATTRIBUTES));
  span['status'] = statusOf(result);
  return span;
}

function statusOf(e: Envelope): Record<string, unknown> {
  if (e.status === null) return {};
  const error = (e.payload['error'] as { message?: unknown } | undefined)?.message;
  return { code: STATUS_CODE[e.status], ...(typeof error === 'string' ? { message: error } : {}) };
}

function toLogRecord(e: Envelope): Record<string, unknown> {
  const p = e.payload;
  const level = e.event_type === 'log' ? String(p['level']) : e.event_type === 'error' ? 'error' : 'info';
  const message = typeof p['message'] === 'string' ? p['message'] : JSON.stringify(p);
  const exception =
    e.event_type === 'error'
      ? [
          kv('exception.message', message),
          ...(typeof p['type'] === 'string' ? [kv('exception.type', p['type'])] : []),
          ...(typeof p['stack'] === 'string' ? [kv('exception.stacktrace', p['stack'])] : []),
        ]
      : [];
  return {
    timeUnixNano: wire.nanos(nanosOfEpochMillis(Date.parse(e.timestamp))),
    severityNumber: SEVERITY[level] ?? 9,
    severityText: level.toUpperCase(),
    body: { stringValue: message },
    eventName: e.event_type,
    traceId: wire.id(traceIdOfRun(e.run_id)),
    ...(e.parent_event_id ? { spanId: wire.id(spanIdOfEvent(e.parent_event_id)) } : {}),
    attributes: [...exception, ...obsAttributes(e)],
  };
}

function spanName(e: Envelope): string {
  const p = e.payload;
  if (e.event_type === 'llm.call') return `chat ${String(p['model'])}`;
  if (e.event_type === 'tool.call' || e.event_type === 'tool.result')
    return `execute_tool ${String(p['tool'])}`;
  if (e.event_type === 'span' && typeof p['operation'] === 'string') return p['operation'];
  return e.event_type;
}

function genAiAttributes(e: Envelope): JsonKeyValue[] {
  const p = e.payload;
  const out: JsonKeyValue[] = [];
  const put = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) out.push(kv(key, value));
  };
  if (e.session_id !== null) {
    put('gen_ai.conversation.id', e.session_id);
    put('session.id', e.session_id);
  }
  if (e.event_type === 'llm.call') {
    put('gen_ai.operation.name', 'chat');
    put('gen_ai.provider.name', p['provider']);
    put('gen_ai.request.model', p['model']);
    put('gen_ai.usage.input_tokens', p['prompt_tokens']);
    put('gen_ai.usage.output_tokens', p['completion_tokens']);
    put('gen_ai.usage.cache_read.input_tokens', p['cache_read_tokens']);
    put('gen_ai.usage.cache_creation.input_tokens', p['cache_write_tokens']);
    put('gen_ai.usage.reasoning.output_tokens', p['reasoning_tokens']);
    put('gen_ai.request.temperature', p['temperature']);
    if (typeof p['finish_reason'] === 'string') put('gen_ai.response.finish_reasons', [p['finish_reason']]);
    if (p['input'] !== undefined) put('gen_ai.input.messages', JSON.stringify(p['input']));
    if (p['output'] !== undefined) put('gen_ai.output.messages', JSON.stringify(p['output']));
  } else if (e.event_type === 'tool.call' || e.event_type === 'tool.result') {
    put('gen_ai.operation.name', 'execute_tool');
    put('gen_ai.tool.name', p['tool']);
    put('gen_ai.tool.call.id', p['call_id']);
    if (p['arguments'] !== undefined) put('gen_ai.tool.call.arguments', JSON.stringify(p['arguments']));
    if (p['output'] !== undefined) put('gen_ai.tool.call.result', JSON.stringify(p['output']));
  }
  return out;
}

function obsAttributes(
  e: Envelope,
  a: { readonly [F in keyof typeof OBS_ATTRIBUTES]: string } = OBS_ATTRIBUTES,
): JsonKeyValue[] {
  return [
    kv(a.eventId, e.event_id),
    kv(a.eventType, e.event_type),
    kv(a.payload, JSON.stringify(e.payload)),
    kv(a.runId, e.run_id),
    kv(a.seq, e.seq),
    kv(a.parentEventId, e.parent_event_id ?? ''),
    kv(a.status, e.status ?? 'none'),
    kv(a.auditLevel, e.audit_level),
    ...(e.session_id === null ? [] : [kv(a.sessionId, e.session_id)]),
    ...(e.request_id === null ? [] : [kv(a.requestId, e.request_id)]),
    ...(e.cycle === null ? [] : [kv(a.cycle, e.cycle)]),
    ...(e.turn_number === null ? [] : [kv(a.turnNumber, e.turn_number)]),
    ...(e.duration_ms === null ? [] : [{ key: a.durationMs, value: { doubleValue: e.duration_ms } }]),
  ];
}

function kv(key: string, value: unknown): JsonKeyValue {
  return { key, value: anyValue(value) };
}

function anyValue(value: unknown): JsonAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? { intValue: wire.int(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: JSON.stringify(value) };
}
