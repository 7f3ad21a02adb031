import { READ_STORE_ERROR_CODES, type ReadStoreErrorCode } from '@obs/read-store';
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

const STORE_CODES: ReadonlySet<string> = new Set(Object.values(READ_STORE_ERROR_CODES));

/**
 * The read-store code of an error (`INVALID_FILTER`, `NOT_FOUND`, …), or undefined for any other
 * error. Read from `reason`, or from `code` where a `ReadStoreError` carries it there (`code` of
 * today's `ReadStoreError` is core's generic `OBS_VALIDATION`/`OBS_CONFIG`, never one of these).
 */
export function readStoreCode(error: unknown): ReadStoreErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { reason, code } = error as { reason?: unknown; code?: unknown };
  for (const value of [reason, code])
    if (typeof value === 'string' && STORE_CODES.has(value)) return value as ReadStoreErrorCode;
  return undefined;
}

/**
 * Maps an error from a handler to an `HttpError`: a read-store `INVALID_FILTER` (a bad query
 * parameter, or a forged cursor) becomes a 400 with its issues and `NOT_FOUND` a 404 (their
 * messages say what was wrong); anything else is an opaque 500.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const code = readStoreCode(error);
  const mapped = code === undefined ? undefined : STORE_STATUS[code];
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
