import type { ValidationIssue } from '@obs/core';

/** An HTTP failure with a status, a stable code and, for bad input, every failing path. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly ValidationIssue[] | undefined;
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
    this.issues = options.issues;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  /** The JSON body sent to the client. */
  toJSON(): Record<string, unknown> {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues ? { issues: this.issues } : {}),
        ...this.details,
      },
    };
  }
}
