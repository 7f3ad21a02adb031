import { OTLP_CONTENT_TYPES, type OtlpFormat } from './decode-request.js';
import { OtlpTypes } from './internal/otlp-proto.js';

/** The `google.rpc.Status` codes (gRPC codes) OTLP/HTTP error answers carry. */
export const RPC_CODES = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A `google.rpc.Status`: what an OTLP/HTTP server answers with an error status. */
export interface OtlpStatus {
  /** A gRPC code ({@link RPC_CODES}). */
  code: number;
  message: string;
}

const BY_HTTP_STATUS: Record<number, number> = {
  400: RPC_CODES.INVALID_ARGUMENT,
  401: RPC_CODES.UNAUTHENTICATED,
  403: RPC_CODES.PERMISSION_DENIED,
  404: RPC_CODES.NOT_FOUND,
  405: RPC_CODES.UNIMPLEMENTED,
  413: RPC_CODES.RESOURCE_EXHAUSTED,
  415: RPC_CODES.INVALID_ARGUMENT,
  429: RPC_CODES.RESOURCE_EXHAUSTED,
  500: RPC_CODES.INTERNAL,
  502: RPC_CODES.UNAVAILABLE,
  503: RPC_CODES.UNAVAILABLE,
  504: RPC_CODES.UNAVAILABLE,
};

/** The gRPC code of an HTTP error status (400 → INVALID_ARGUMENT, 413/429 → RESOURCE_EXHAUSTED, 503 → UNAVAILABLE, …). */
export const rpcCodeOfHttpStatus = (status: number): number => BY_HTTP_STATUS[status] ?? RPC_CODES.UNKNOWN;

/** The body of an OTLP/HTTP error answer: a `google.rpc.Status` in protobuf or protobuf JSON. */
export function encodeOtlpStatus(
  status: OtlpStatus,
  format: OtlpFormat,
): { contentType: string; body: Uint8Array } {
  if (format === 'json') {
    return {
      contentType: OTLP_CONTENT_TYPES.json,
      body: Buffer.from(JSON.stringify({ code: status.code, message: status.message })),
    };
  }
  const type = OtlpTypes.status;
  return { contentType: OTLP_CONTENT_TYPES.protobuf, body: type.encode(type.fromObject(status)).finish() };
}

/** The `google.rpc.Status` of an error answer; undefined when the body is not one. */
export function decodeOtlpStatus(body: Uint8Array, format: OtlpFormat): OtlpStatus | undefined {
  try {
    const message = (
      format === 'json'
        ? JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
        : OtlpTypes.status.toObject(OtlpTypes.status.decode(body), { defaults: true })
    ) as { code?: unknown; message?: unknown };
    if (typeof message !== 'object' || message === null) return undefined;
    const code =
      typeof message.code === 'number' && Number.isInteger(message.code) ? message.code : undefined;
    if (code === undefined || typeof message.message !== 'string') return undefined;
    if (code === 0 && message.message === '') return undefined;
    return { code, message: message.message };
  } catch {
    return undefined;
  }
}
