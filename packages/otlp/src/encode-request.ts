import type { OtlpFormat, OtlpSignal } from './decode-request.js';
import { hexIdsToBytes } from './internal/hex-ids.js';
import { OtlpTypes } from './internal/otlp-proto.js';

/**
 * Encodes an export request given in OTLP/JSON form (hex ids, nanoseconds as decimal strings) as
 * the body of `POST /v1/traces` or `/v1/logs`; protobuf encoding turns the hex ids into bytes in place.
 */
export function encodeOtlpRequest(signal: OtlpSignal, request: object, format: OtlpFormat): Uint8Array {
  if (format === 'json') return Buffer.from(JSON.stringify(request));
  hexIdsToBytes(request, signal);
  const type = signal === 'traces' ? OtlpTypes.traceRequest : OtlpTypes.logsRequest;
  return type.encode(type.fromObject(request)).finish();
}
