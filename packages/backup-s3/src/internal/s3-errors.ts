import { BACKUP_ERROR_CODES, type BackupErrorCode, ObsBackupError } from '../errors.js';

const AUTH_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'AuthorizationHeaderMalformed',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Removes credential values and signature material from a message. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out
    .replace(/(Credential=)[^\s,]+/gi, '$1[REDACTED]')
    .replace(/(Signature=)[0-9a-f]+/gi, '$1[REDACTED]')
    .replace(/(X-Amz-Security-Token=)[^\s&]+/gi, '$1[REDACTED]')
    .replace(/\b(AKIA|ASIA)[0-9A-Z]{12,}\b/g, '[REDACTED]')
    .replace(/(\/\/)[^/@\s]+@/g, '$1');
}

/** Turns anything the S3 SDK throws into an `ObsBackupError` with a code and a message free of credentials. */
export function s3Failure(error: unknown, action: string, secrets: readonly string[]): ObsBackupError {
  if (error instanceof ObsBackupError) return error;
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  let reason: BackupErrorCode = BACKUP_ERROR_CODES.S3;
  let retryable = status === undefined || status >= 500 || status === 429;
  if (NETWORK_CODES.has(e.code ?? '') || name === 'TimeoutError' || name === 'AbortError') {
    reason = BACKUP_ERROR_CODES.UNREACHABLE;
    retryable = true;
  } else if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    reason = BACKUP_ERROR_CODES.AUTH;
    retryable = false;
  } else if (name === 'NoSuchBucket') {
    reason = BACKUP_ERROR_CODES.BUCKET_MISSING;
    retryable = false;
  } else if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    reason = BACKUP_ERROR_CODES.NOT_FOUND;
    retryable = false;
  }
  const detail = [name, e.code && e.code !== name ? e.code : undefined, status ? `HTTP ${status}` : undefined]
    .filter(Boolean)
    .join(', ');
  const message = scrub(
    `${action} failed (${detail}): ${e.message ?? String(error)}${hint(reason)}`,
    secrets,
  );
  const cause = { name, code: e.code, httpStatusCode: status, requestId: e.$metadata?.requestId };
  return new ObsBackupError(reason, message, { cause, retryable });
}

function hint(reason: BackupErrorCode): string {
  switch (reason) {
    case BACKUP_ERROR_CODES.AUTH:
      return ' — check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or profile) and the bucket policy';
    case BACKUP_ERROR_CODES.BUCKET_MISSING:
      return ' — create the bucket or fix the bucket name';
    case BACKUP_ERROR_CODES.UNREACHABLE:
      return ' — check the endpoint and the network';
    default:
      return '';
  }
}
