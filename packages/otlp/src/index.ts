export {
  decodeLogsRequest,
  decodeTraceRequest,
  OTLP_CONTENT_TYPES,
  type OtlpFormat,
  type OtlpSignal,
  otlpFormatOf,
} from './decode-request.js';
export { encodeOtlpRequest } from './encode-request.js';
export { OTLP_ERROR_CODES, OtlpError, type OtlpErrorCode } from './errors.js';
export { logEventId, MAX_EVENTS_PER_SPAN, SPAN_ROLE, spanEventId } from './event-ids.js';
export { GENAI_ALIASES, type GenAiField } from './genai-aliases.js';
export { type DeliveringService, ingestOtlp, type OtlpIngestResult } from './ingest-otlp.js';
export { ATTRIBUTE_LIMITS } from './internal/attributes.js';
export { OBS_ATTRIBUTES } from './internal/obs-attributes.js';
export { mapLogsRequest } from './map-logs.js';
export { type MapOptions, type MappedRequest, mapTraceRequest } from './map-spans.js';
export { createOtlpSink, type OtlpSink } from './otlp-sink.js';
export { type OtlpSinkOptions, OtlpSinkOptionsSchema, type OtlpSinkSettings } from './otlp-sink-options.js';
export {
  decodeOtlpStatus,
  encodeOtlpStatus,
  type OtlpStatus,
  RPC_CODES,
  rpcCodeOfHttpStatus,
} from './otlp-status.js';
export {
  createObsSpanExporter,
  type ExportingService,
  type ExportResultLike,
  type ObsSpanExporter,
  type ReadableSpanLike,
} from './span-exporter.js';
