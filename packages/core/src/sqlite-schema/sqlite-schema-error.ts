import { OBS_ERROR_CODES, ObsError } from '../errors.js';

/**
 * A database's schema version cannot be used by this build: it is newer than this build knows,
 * or (for a read-only open) older than current and not yet migrated by a writer.
 */
export class SqliteSchemaError extends ObsError {
  /** `PRAGMA user_version` found in the file. */
  readonly foundVersion: number;
  /** The version this build writes ({@link SQLITE_SCHEMA_VERSION}). */
  readonly supportedVersion: number;

  constructor(
    message: string,
    foundVersion: number,
    supportedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(OBS_ERROR_CODES.CONFIG, message, options);
    this.name = 'SqliteSchemaError';
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }
}
