import { OBS_ERROR_CODES, ObsError, ObsTransientError } from '@obs/core';

/** SQLSTATE classes that say nothing about the batch: connection, resources, shutdown, lock/serialization. */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);
/** SQLSTATE classes of a batch the server refuses as it is: bad data, constraint. */
const REFUSED_CLASSES = new Set(['22', '23']);

/**
 * The sink's error for a failed write, with its message passed through `redact`: transient
 * (`ObsTransientError`, retried as it is) for a lost connection, a deadlock or a server going down;
 * `transient: false` (bisected at once) for data the server refuses; otherwise a plain `OBS_SINK`.
 */
export function writeError(prefix: string, error: unknown, redact: (text: string) => string): ObsError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = redact(`${prefix}: ${raw}`);
  const code = (error as { code?: unknown } | null)?.code;
  const sqlClass = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code.slice(0, 2) : undefined;
  // the original error is not kept as `cause`: its fields could carry connection details
  const detail = { cause: { code, sqlState: sqlClass === undefined ? undefined : code } };
  // 23505: another writer committed one of the batch's ids meanwhile; the retry leaves it out
  if (sqlClass === undefined || TRANSIENT_CLASSES.has(sqlClass) || code === '55P03' || code === '23505') {
    return new ObsTransientError(message, detail);
  }
  const refused = new ObsError(OBS_ERROR_CODES.SINK, message, detail);
  if (REFUSED_CLASSES.has(sqlClass) && code !== '23514') Object.assign(refused, { transient: false });
  return refused;
}

/** True when `error` leaves its connection unusable (no SQLSTATE, a connection error, or the server ending it). */
export function breaksConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || code.startsWith('08') || code.startsWith('57P');
}
