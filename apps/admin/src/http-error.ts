/** One reason a request was refused: the parameter and what was expected. */
export interface RequestIssue {
  param: string;
  message: string;
}

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
}

/** Thrown by `createAdminServer` for options that would make it unsafe or unusable. */
export class AdminConfigError extends Error {
  override readonly name = 'AdminConfigError';
  readonly code = 'ADMIN_CONFIG';
}

const STORE_STATUS: Record<string, [number, string]> = {
  INVALID_FILTER: [400, 'INVALID_REQUEST'],
  NOT_FOUND: [404, 'NOT_FOUND'],
};

/**
 * Maps an error from a handler to an `HttpError`: a `ReadStoreError` whose `reason` is
 * `INVALID_FILTER` becomes a 400 and `NOT_FOUND` a 404 (their messages say what was wrong);
 * anything else is an opaque 500.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const reason = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const mapped = typeof reason === 'string' ? STORE_STATUS[reason] : undefined;
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
    const { path, param, message } = issue as { path?: unknown; param?: unknown; message?: unknown };
    const name = typeof param === 'string' ? param : typeof path === 'string' ? path : '';
    return typeof message === 'string' ? [{ param: name, message }] : [];
  });
}
