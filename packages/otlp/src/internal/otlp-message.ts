/** A 64-bit integer as protobufjs decodes it: a `Long` (its two 32-bit halves), a number or a string. */
export type Int64 = { low: number; high: number; unsigned?: boolean } | number | string;

/** `AnyValue` as decoded: at most one of the value fields is set; `value` names it. */
export interface AnyValueMessage {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: AnyValueMessage[] };
  kvlistValue?: { values?: KeyValueMessage[] };
  bytesValue?: Uint8Array;
}

/** One attribute. */
export interface KeyValueMessage {
  key: string;
  value?: AnyValueMessage | null;
}

/** Resource and scope of a group of spans or log records. */
export interface ResourceMessage {
  attributes?: KeyValueMessage[];
}

/** `InstrumentationScope`. */
export interface ScopeMessage {
  name?: string;
  version?: string;
}

/** One span event. */
export interface SpanEventMessage {
  timeUnixNano?: Int64;
  name?: string;
  attributes?: KeyValueMessage[];
}

/** One span, as decoded from protobuf or OTLP/JSON. */
export interface SpanMessage {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: KeyValueMessage[];
  events?: SpanEventMessage[];
  status?: { code?: number; message?: string } | null;
}

/** `ExportTraceServiceRequest`. */
export interface TraceRequestMessage {
  resourceSpans?: {
    resource?: ResourceMessage | null;
    scopeSpans?: { scope?: ScopeMessage | null; spans?: SpanMessage[] }[];
  }[];
}

/** One log record. */
export interface LogRecordMessage {
  timeUnixNano?: Int64;
  observedTimeUnixNano?: Int64;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValueMessage | null;
  attributes?: KeyValueMessage[];
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string;
}

/** `ExportLogsServiceRequest`. */
export interface LogsRequestMessage {
  resourceLogs?: {
    resource?: ResourceMessage | null;
    scopeLogs?: { scope?: ScopeMessage | null; logRecords?: LogRecordMessage[] }[];
  }[];
}
