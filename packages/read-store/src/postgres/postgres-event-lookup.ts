import { assertPostgresSchemaCurrent, postgresPasswordRedactor, safePostgresUrl } from '@obs/store-format';
import pg from 'pg';
import type { EventJsonLookup } from '../event-json-lookup.js';
import { parseInput } from '../query-schemas.js';
import { ReadStoreError } from '../read-store-error.js';
import {
  type PostgresReadStoreOptions,
  PostgresReadStoreOptionsSchema,
  readerConfig,
} from './postgres-connection.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An {@link EventJsonLookup} over an obs PostgreSQL store, on one read-only connection: each batch
 * is one `event_id = ANY(…)` probe of the primary key. Throws `ReadStoreError` like
 * `openPostgresReadStore` (the password never in a message).
 */
export async function openPostgresEventLookup(
  url: string,
  options: PostgresReadStoreOptions = {},
): Promise<EventJsonLookup> {
  const o = parseInput(PostgresReadStoreOptionsSchema, options, 'postgres options');
  const redact = postgresPasswordRedactor(url);
  const client = new pg.Client(readerConfig(url, o));
  client.on('error', () => {});
  const failed = (error: unknown, doing: string) => {
    if ((error as { code?: unknown }).code === 'OBS_SCHEMA_VERSION') {
      return new ReadStoreError('UNSUPPORTED_SCHEMA', redact((error as Error).message));
    }
    return new ReadStoreError(
      'STORE_UNAVAILABLE',
      `${doing} the obs store at ${safePostgresUrl(url)} failed: ${redact((error as Error).message)}`,
    );
  };
  try {
    await client.connect();
    await assertPostgresSchemaCurrent(client, o.schema);
  } catch (error) {
    await client.end().catch(() => {});
    throw failed(error, 'opening');
  }
  return {
    async jsonOf(ids) {
      // a trail line's id that is no UUID cannot be stored (the column is uuid): it is simply absent
      const wanted = new Map(ids.filter((id) => UUID.test(id)).map((id) => [id.toLowerCase(), id]));
      try {
        const { rows } = await client.query<{ id: string; json: string }>(
          'SELECT event_id::text AS id, json FROM events WHERE event_id = ANY($1::uuid[])',
          [[...wanted.keys()]],
        );
        return new Map(rows.map((r) => [wanted.get(r.id) ?? r.id, r.json]));
      } catch (error) {
        throw failed(error, 'reading');
      }
    },
    async count() {
      try {
        return Number((await client.query<{ n: number }>('SELECT COUNT(*) AS n FROM events')).rows[0]!.n);
      } catch (error) {
        throw failed(error, 'reading');
      }
    },
    async close() {
      await client.end();
    },
  };
}
