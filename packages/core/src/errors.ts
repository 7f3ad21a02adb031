/** Stable error codes of obs; every `ObsError` carries one. */
export const OBS_ERROR_CODES = {
  VALIDATION: 'OBS_VALIDATION',
  CONFIG: 'OBS_CONFIG',
  SHUT_DOWN: 'OBS_SHUT_DOWN',
  UNKNOWN_EVENT_TYPE: 'OBS_UNKNOWN_EVENT_TYPE',
  SINK: 'OBS_SINK',
  CLOSED: 'OBS_CLOSED',
} as const;

/** One of the values of {@link OBS_ERROR_CODES}. */
export type ObsErrorCode = (typeof OBS_ERROR_CODES)[keyof typeof OBS_ERROR_CODES];

/**
 * Base class of every error obs throws; `code` is stable, `cause` keeps the original. Each package
 * keeps its codes in one `as const` map and subclasses this with them as `C`.
 */
export class ObsError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObsError';
    this.code = code;
  }
}

/** One failing location in a validated value. */
export interface ValidationIssue {
  /** Dotted path of the failing value, `""` for the root. */
  path: string;
  /** What was wrong and what was expected there. */
  message: string;
}

/** An event, envelope, filter or input failed validation; `issues` lists every failing path. */
export class ObsValidationError extends ObsError<typeof OBS_ERROR_CODES.VALIDATION> {
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const detail = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super(OBS_ERROR_CODES.VALIDATION, `invalid ${subject}: ${detail}`, options);
    this.name = 'ObsValidationError';
    this.issues = issues;
  }
}

/**
 * A configuration value (code or `OBS_*` environment variable) is invalid, or the configuration asks
 * for something this installation lacks. `message` replaces the default text (`invalid obs
 * configuration: <issues>`) where a sentence says it better; `cause` keeps the original error.
 */
export class ObsConfigError extends ObsError<typeof OBS_ERROR_CODES.CONFIG> {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { message?: string; cause?: unknown }) {
    super(
      OBS_ERROR_CODES.CONFIG,
      options?.message ??
        `invalid obs configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      options && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'ObsConfigError';
    this.issues = issues;
  }
}

/** Wraps an unknown thrown value as an `Error`, keeping it as `cause` when it is not one. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : safeString(value), { cause: value });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
