import type { OtlpFormat, OtlpSignal } from './decode-request.js';
import { OTLP_ERROR_CODES, OtlpError } from './errors.js';
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
  // The OTLP/JSON shape holds protobufjs's own value types once ids are bytes (64-bit integers as
  // decimal text), so it is encoded as it is, without `fromObject`'s copy; a value of the wrong type fails here.
  try {
    return type.encode(request).finish();
  } catch (error) {
    throw new OtlpError(OTLP_ERROR_CODES.MALFORMED, `not an OTLP ${type.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
