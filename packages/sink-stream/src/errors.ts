import { ObsError } from '@obs/core';

/** Stable codes of stream failures; the wire `error` message uses the same strings. */
export const STREAM_ERROR_CODES = {
  BAD_JSON: 'bad_json',
  INVALID_MESSAGE: 'invalid_message',
  UNSUPPORTED_VERSION: 'unsupported_version',
  UNKNOWN_TYPE: 'unknown_type',
  TOO_LARGE: 'too_large',
  TOO_MANY_SUBSCRIPTIONS: 'too_many_subscriptions',
  DUPLICATE_SUBSCRIPTION: 'duplicate_subscription',
  UNKNOWN_SUBSCRIPTION: 'unknown_subscription',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  CONNECTION: 'connection',
  CLOSED: 'closed',
} as const;

/** One of the values of {@link STREAM_ERROR_CODES}. */
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[keyof typeof STREAM_ERROR_CODES];

/** A stream failure seen by a client or server; `code` says which (see {@link STREAM_ERROR_CODES}). */
export class ObsStreamError extends ObsError<StreamErrorCode> {
  constructor(code: StreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ObsStreamError';
  }
}
