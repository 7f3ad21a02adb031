import { ObsValidationError } from '@obs/core';

/** A schema name obs accepts: lower-case letters, digits and `_`, starting with a letter or `_`, ≤ 48 chars. */
export const POSTGRES_SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

/** The schema obs writes and reads when none is given. */
export const DEFAULT_POSTGRES_SCHEMA = 'obs';

/**
 * Checks a schema name and returns it. Names are restricted (never quoted) so they can appear in
 * `search_path` and in the `LISTEN` channel name; throws `ObsValidationError` otherwise.
 */
export function checkPostgresSchemaName(name: string): string {
  if (typeof name !== 'string' || !POSTGRES_SCHEMA_NAME_PATTERN.test(name)) {
    throw new ObsValidationError('PostgreSQL schema name', [
      {
        path: 'schema',
        message: `expected lower-case letters, digits and "_" (at most 48, not starting with a digit), got ${JSON.stringify(String(name).slice(0, 60))}`,
      },
    ]);
  }
  return name;
}

/** The `NOTIFY` channel a writer signals after each commit into `schema` (readers `LISTEN` on it). */
export function postgresEventsChannel(schema: string): string {
  return `obs_events_${checkPostgresSchemaName(schema)}`;
}
