import type { ValidationIssue } from '@obs/core';

/** One reason a request was refused: `path` says where (an event field like `[3].payload.model`). */
export interface ErrorIssue {
  path: string;
  message: string;
}

/**
 * The body of every error answer, the same shape as the admin dashboard's: `issues` is always a
 * list (empty when no one input was at fault); `details` holds extra facts for the client, only
 * where a code documents them (`NOT_STORED`: `event_ids` and `undelivered_ids`).
 */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    issues: ErrorIssue[];
    details?: Record<string, unknown>;
  };
}

/** An HTTP failure with a status, a stable code and, for bad input, every failing path. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly ValidationIssue[];
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      issues?: readonly ValidationIssue[];
      headers?: Record<string, string>;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  /** The JSON body sent to the client. */
  toJSON(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        issues: this.issues.map(({ path, message }) => ({ path, message })),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
