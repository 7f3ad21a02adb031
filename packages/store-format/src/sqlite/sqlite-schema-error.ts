import { ObsError } from '@obs/core';

/** Stable codes of storage-format failures. */
export const STORE_FORMAT_ERROR_CODES = {
  /** The file's schema version cannot be used by this build (newer, unmigrated, or no obs schema). */
  SCHEMA_VERSION: 'OBS_SCHEMA_VERSION',
  /** A migration step failed and was rolled back; `cause` holds the step's error. */
  MIGRATION_FAILED: 'OBS_MIGRATION_FAILED',
  /** Bytes given as an encoded latency sketch are not one (truncated, corrupt or another format). */
  SKETCH_FORMAT: 'OBS_SKETCH_FORMAT',
} as const;

/** One of the values of {@link STORE_FORMAT_ERROR_CODES}. */
export type StoreFormatErrorCode = (typeof STORE_FORMAT_ERROR_CODES)[keyof typeof STORE_FORMAT_ERROR_CODES];

/**
 * A database's schema version cannot be used by this build: it is newer than this build knows,
 * or (for a read-only open) older than current and not yet migrated by a writer.
 */
export class SqliteSchemaError extends ObsError<StoreFormatErrorCode> {
  /** `PRAGMA user_version` found in the file. */
  readonly foundVersion: number;
  /** The version this build writes ({@link SQLITE_SCHEMA_VERSION}). */
  readonly supportedVersion: number;

  constructor(
    code: StoreFormatErrorCode,
    message: string,
    foundVersion: number,
    supportedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'SqliteSchemaError';
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }
}
