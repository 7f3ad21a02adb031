import { ReadStoreError, type ReadStoreErrorCode } from '@obs/read-store';
import type { ApiErrorBody, ApiErrorIssue } from './api-types.js';

/** One reason a request was refused: where (a query parameter, like `limit` or `type.2`) and what was expected. */
export type RequestIssue = ApiErrorIssue;

/** An error answered with its HTTP status and a JSON body `{ error: { code, message, issues } }`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly issues: RequestIssue[];

  constructor(status: number, code: string, message: string, issues: RequestIssue[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }

  /** The JSON body sent to the client (the same shape as the collector's). */
  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, issues: this.issues } };
  }
}

/** Thrown by `createAdminServer` for options that would make it unsafe or unusable. */
export class AdminConfigError extends Error {
  override readonly name = 'AdminConfigError';
  readonly code = 'ADMIN_CONFIG';
}

const STORE_STATUS: Partial<Record<ReadStoreErrorCode, [number, string]>> = {
  INVALID_FILTER: [400, 'INVALID_REQUEST'],
  NOT_FOUND: [404, 'NOT_FOUND'],
};

/**
 * Maps an error from a handler to an `HttpError`: a read-store `INVALID_FILTER` (a bad query
 * parameter, or a forged cursor) becomes a 400 with its issues and `NOT_FOUND` a 404 (their
 * messages say what was wrong); anything else is an opaque 500.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const mapped = error instanceof ReadStoreError ? STORE_STATUS[error.code] : undefined;
  if (mapped) {
    const message = error instanceof Error ? error.message : String(error);
    const issues = (error as { issues?: unknown }).issues;
    return new HttpError(mapped[0], mapped[1], message, Array.isArray(issues) ? toIssues(issues) : []);
  }
  return new HttpError(500, 'INTERNAL', 'the server failed to answer this request; see its log');
}

function toIssues(raw: unknown[]): RequestIssue[] {
  return raw.flatMap((issue) => {
    if (typeof issue !== 'object' || issue === null) return [];
    const { path, message } = issue as { path?: unknown; message?: unknown };
    return typeof message === 'string' ? [{ path: typeof path === 'string' ? path : '', message }] : [];
  });
}
