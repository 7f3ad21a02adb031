import { ObsError, type ValidationIssue } from '@obs/core';

/** Why a read failed; stable strings, safe to match on (`error.code`). */
export const READ_STORE_ERROR_CODES = {
  /** The run, session or event asked for does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** A filter, cursor or option was invalid; `issues` says which and what was expected. */
  INVALID_FILTER: 'INVALID_FILTER',
  /** The store's schema version is not the one this build reads (or the file is no obs store). */
  UNSUPPORTED_SCHEMA: 'UNSUPPORTED_SCHEMA',
  /** The store cannot be opened or read (missing path, not a database, closed store). */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
} as const;

/** One of the values of {@link READ_STORE_ERROR_CODES}. */
export type ReadStoreErrorCode = (typeof READ_STORE_ERROR_CODES)[keyof typeof READ_STORE_ERROR_CODES];

/** A read failed; `code` is one of {@link READ_STORE_ERROR_CODES}. */
export class ReadStoreError extends ObsError<ReadStoreErrorCode> {
  /** For `INVALID_FILTER`: every failing input path and what was expected there. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    code: ReadStoreErrorCode,
    message: string,
    options: { cause?: unknown; issues?: readonly ValidationIssue[] } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReadStoreError';
    this.issues = options.issues ?? [];
  }
}

/** An `INVALID_FILTER` error for one input path. */
export function invalidFilter(path: string, message: string): ReadStoreError {
  return new ReadStoreError('INVALID_FILTER', `invalid read-store input: ${path || '(root)'}: ${message}`, {
    issues: [{ path, message }],
  });
}

/** A `NOT_FOUND` error naming what was looked up. */
export function notFound(what: string, id: string): ReadStoreError {
  return new ReadStoreError('NOT_FOUND', `${what} "${id}" not found`);
}
