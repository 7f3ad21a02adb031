import type { Envelope, Observability } from '@obs/core';
import {
  decodeLogsRequest,
  decodeTraceRequest,
  OTLP_CONTENT_TYPES,
  type OtlpSignal,
  otlpFormatOf,
} from './decode-request.js';
import { deliverValid } from './internal/deliver-valid.js';
import { OtlpTypes } from './internal/otlp-proto.js';
import { mapLogsRequest } from './map-logs.js';
import { type MapOptions, mapTraceRequest } from './map-spans.js';

/** What {@link ingestOtlp} stored and the OTLP response to send back. */
export interface OtlpIngestResult {
  /** Events stored (a span can be several: a tool call and its result, its span events). */
  envelopes: Envelope[];
  /** Spans or log records refused, with `message` saying why (the response's partial success). */
  rejected: number;
  message: string;
  /** The `ExportTraceServiceResponse` / `ExportLogsServiceResponse`, in the request's format. */
  response: { contentType: string; body: Uint8Array };
}

/** The obs service {@link ingestOtlp} delivers through (any event catalog). */
export type DeliveringService = Pick<Observability<object>, 'deliver'>;

const MAX_REASONS = 5;

/**
 * Decodes an OTLP/HTTP export request (`application/x-protobuf` or `application/json`, already
 * decompressed), maps it to obs events and waits until every sink stored them. Invalid spans or
 * records are left out and reported as partial success; the rest are stored. Throws `OtlpError`:
 * `OTLP_UNSUPPORTED_MEDIA_TYPE`, `OTLP_MALFORMED`, or `OTLP_NOT_STORED` when a sink could not store
 * them all (send the request again: the same spans map to the same event ids).
 */
export async function ingestOtlp(
  obs: DeliveringService,
  signal: OtlpSignal,
  body: Uint8Array,
  contentType: string | undefined,
  options: MapOptions = {},
): Promise<OtlpIngestResult> {
  const format = otlpFormatOf(contentType);
  const mapped =
    signal === 'traces'
      ? mapTraceRequest(decodeTraceRequest(body, format), options)
      : mapLogsRequest(decodeLogsRequest(body, format), options);
  const envelopes = await deliverValid(obs, mapped);
  const reasons = [...mapped.rejected.values()];
  const rejected = mapped.rejected.size;
  const message =
    rejected === 0
      ? ''
      : `${rejected} of ${mapped.items} ${signal === 'traces' ? 'spans' : 'log records'} rejected: ${reasons.slice(0, MAX_REASONS).join('; ')}${reasons.length > MAX_REASONS ? '; …' : ''}`;
  return { envelopes, rejected, message, response: encodeResponse(signal, format, rejected, message) };
}

function encodeResponse(signal: OtlpSignal, format: 'protobuf' | 'json', rejected: number, message: string) {
  const partial =
    rejected === 0
      ? {}
      : {
          partialSuccess:
            signal === 'traces'
              ? { rejectedSpans: rejected, errorMessage: message }
              : { rejectedLogRecords: rejected, errorMessage: message },
        };
  if (format === 'json') {
    return { contentType: OTLP_CONTENT_TYPES.json, body: Buffer.from(JSON.stringify(partial)) };
  }
  const type = signal === 'traces' ? OtlpTypes.traceResponse : OtlpTypes.logsResponse;
  return { contentType: OTLP_CONTENT_TYPES.protobuf, body: type.encode(type.fromObject(partial)).finish() };
}
