import { ObsError } from '@obs/core';

/** Stable codes of the errors `@obs/otlp` throws. */
export const OTLP_ERROR_CODES = {
  /** The body is not a valid OTLP request (bad protobuf, bad JSON, wrong shape). */
  MALFORMED: 'OTLP_MALFORMED',
  /** The content type is neither `application/x-protobuf` nor `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'OTLP_UNSUPPORTED_MEDIA_TYPE',
  /** The body, after decompression, is larger than allowed. */
  TOO_LARGE: 'OTLP_TOO_LARGE',
  /** Some events were accepted but not stored: a sink is overloaded or failing; retry later. */
  NOT_STORED: 'OTLP_NOT_STORED',
  /** An OTLP endpoint refused an export for good (a 4xx other than 429). */
  EXPORT_REFUSED: 'OTLP_EXPORT_REFUSED',
} as const;

/** One of the values of {@link OTLP_ERROR_CODES}. */
export type OtlpErrorCode = (typeof OTLP_ERROR_CODES)[keyof typeof OTLP_ERROR_CODES];

/** An OTLP request or export failed; `code` says how (see {@link OTLP_ERROR_CODES}). */
export class OtlpError extends ObsError<OtlpErrorCode> {
  /** `false` on a refused export: the service's queue does not retry it (see core's `transienceOf`). */
  readonly transient: boolean | undefined;

  constructor(code: OtlpErrorCode, message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OtlpError';
    this.transient = options?.transient;
  }
}
