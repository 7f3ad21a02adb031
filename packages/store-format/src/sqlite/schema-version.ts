/** The SQLite schema version this build writes and reads (`PRAGMA user_version`). */
export const SQLITE_SCHEMA_VERSION = 6;
