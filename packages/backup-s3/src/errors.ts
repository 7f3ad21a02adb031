import { ObsError } from '@obs/core';

/** Why a backup operation failed; stable strings, safe to match on (`error.code`). */
export const BACKUP_ERROR_CODES = {
  /** The database to back up is missing or is not an SQLite database. */
  DATABASE: 'DATABASE',
  /** The snapshot could not be taken or written (disk full, permissions). */
  SNAPSHOT: 'SNAPSHOT',
  /** The S3 endpoint could not be reached (refused, DNS, timeout). */
  UNREACHABLE: 'UNREACHABLE',
  /** S3 refused the credentials or the access. */
  AUTH: 'AUTH',
  /** The bucket does not exist. */
  BUCKET_MISSING: 'BUCKET_MISSING',
  /** The requested backup does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** Any other S3 error. */
  S3: 'S3',
  /** The archive is not a valid obs backup (bad gzip/tar, missing or invalid manifest). */
  ARCHIVE_INVALID: 'ARCHIVE_INVALID',
  /** The restored database does not match the manifest's sha256 or size. */
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  /** The restored database failed `PRAGMA integrity_check`. */
  INTEGRITY: 'INTEGRITY',
  /**
   * The restore drill after a backup failed: the uploaded archive could not be downloaded, or did not
   * restore to a sound database matching the manifest written for it (the message says which check).
   */
  DRILL_FAILED: 'DRILL_FAILED',
  /** The restore target exists and `overwrite` was not set. */
  DESTINATION_EXISTS: 'DESTINATION_EXISTS',
} as const;

/** One of the values of {@link BACKUP_ERROR_CODES}. */
export type BackupErrorCode = (typeof BACKUP_ERROR_CODES)[keyof typeof BACKUP_ERROR_CODES];

/** A backup, list, prune or restore failed; `code` says why. Never carries credentials. */
export class ObsBackupError extends ObsError<BackupErrorCode> {
  /** Whether trying again later may succeed (network, server errors). */
  readonly retryable: boolean;
  /** The backup (S3 key) concerned, when one was already written. */
  readonly key: string | undefined;

  constructor(
    code: BackupErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; key?: string } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ObsBackupError';
    this.retryable = options.retryable ?? false;
    this.key = options.key;
  }
}
