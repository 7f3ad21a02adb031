import type { EnvelopeInput } from '@obs/core';
import { logEventId, SPAN_ROLE, spanEventId } from './event-ids.js';
import { anyValue, attributes } from './internal/attributes.js';
import { isZero, toHex } from './internal/hex.js';
import { toBigInt } from './internal/int64.js';
import { isoOfNanos, millisOfNanos } from './internal/nanos.js';
import { obsEventFromAttributes } from './internal/obs-attributes.js';
import type { LogRecordMessage, LogsRequestMessage } from './internal/otlp-message.js';
import { AttributeReader } from './internal/read-attributes.js';
import { type MapOptions, type MappedRequest, sourceOf } from './map-spans.js';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** OTLP severity numbers (1-24, four per level) to obs log levels. */
const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const SEVERITY_ERROR = 17;

/**
 * Maps every record of an `ExportLogsServiceRequest`: severity ERROR and above with an exception
 * becomes `error`, every other record `log`. A record inside a span hangs under the span's event;
 * its run is the trace (else `obs.run_id`, else `logs:<service.name>`).
 */
export function mapLogsRequest(request: LogsRequestMessage, options: MapOptions = {}): MappedRequest {
  const out: MappedRequest = { inputs: [], owners: [], items: 0, rejected: new Map() };
  for (const group of request.resourceLogs ?? []) {
    const resource = attributes(group.resource?.attributes);
    const source = sourceOf(resource, options.defaultSource);
    for (const scopeLogs of group.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        const index = out.items++;
        const input = mapRecord(record, source);
        if (typeof input === 'string') out.rejected.set(index, `log record ${index}: ${input}`);
        else {
          out.inputs.push(input);
          out.owners.push(index);
        }
      }
    }
  }
  return out;
}

function mapRecord(record: LogRecordMessage, source: string): EnvelopeInput | string {
  const time = toBigInt(record.timeUnixNano) || toBigInt(record.observedTimeUnixNano);
  if (time === 0n) return 'timeUnixNano and observedTimeUnixNano are both missing';
  const timestamp = isoOfNanos(time);
  if (timestamp === undefined) return 'timeUnixNano is outside the years 1970-9999';
  const traceId =
    record.traceId && record.traceId.length === 16 && !isZero(record.traceId) ? toHex(record.traceId) : '';
  const spanId =
    record.spanId && record.spanId.length === 8 && !isZero(record.spanId) ? toHex(record.spanId) : '';
  if (record.traceId && record.traceId.length !== 0 && !traceId)
    return 'traceId must be empty or 16 bytes, not all zero';
  const attrs = attributes(record.attributes);
  const read = new AttributeReader(attrs);
  const body = anyValue(record.body);
  const severity = record.severityNumber ?? 0;
  const identity = JSON.stringify([
    toBigInt(record.timeUnixNano).toString(),
    toBigInt(record.observedTimeUnixNano).toString(),
    traceId,
    spanId,
    severity,
    record.severityText ?? '',
    body,
    attrs,
  ]);
  const base = {
    event_id: logEventId(millisOfNanos(time), identity),
    source,
    run_id: read.string('runId', 256) ?? (traceId || `logs:${source}`),
    session_id: read.string('sessionId', 256) ?? null,
    parent_event_id: traceId && spanId ? spanEventId(traceId, spanId, SPAN_ROLE.primary) : null,
    timestamp,
  };
  const own = obsEventFromAttributes(attrs);
  if (own) return { ...base, ...own, event_id: own.event_id ?? base.event_id };
  const otel = {
    ...(traceId ? { trace_id: traceId } : {}),
    ...(spanId ? { span_id: spanId } : {}),
    time_unix_nano: time.toString(),
    severity_number: severity,
    ...(record.severityText ? { severity_text: record.severityText.slice(0, 64) } : {}),
    ...(record.eventName ? { event_name: record.eventName.slice(0, 512) } : {}),
  };
  const message =
    typeof body === 'string' ? body : body === null ? (record.eventName ?? '') : JSON.stringify(body);
  const exceptionMessage = attrs['exception.message'];
  if (
    severity >= SEVERITY_ERROR &&
    (typeof exceptionMessage === 'string' || attrs['exception.type'] !== undefined)
  ) {
    const stack = attrs['exception.stacktrace'];
    const type = attrs['exception.type'];
    return {
      ...base,
      event_type: 'error',
      status: 'error',
      payload: {
        stage: record.eventName || 'log',
        message:
          typeof exceptionMessage === 'string' && exceptionMessage !== ''
            ? exceptionMessage
            : message || 'error',
        ...(typeof stack === 'string' ? { stack } : {}),
        ...(typeof type === 'string' && type !== '' ? { type: type.slice(0, 512) } : {}),
        recoverable: severity < 21,
        otel: { ...otel, attributes: attrs },
      },
    };
  }
  return {
    ...base,
    event_type: 'log',
    payload: {
      level:
        severity === 0
          ? levelOfText(record.severityText)
          : LEVELS[Math.min(5, Math.floor((severity - 1) / 4))]!,
      message,
      ...(Object.keys(attrs).length > 0 ? { fields: attrs } : {}),
      otel,
    },
  };
}

function levelOfText(text: string | undefined): Level {
  const t = (text ?? '').toLowerCase();
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('fatal') || t.startsWith('crit')) return 'fatal';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('trace')) return 'trace';
  return 'info';
}
