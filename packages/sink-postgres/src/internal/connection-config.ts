import type { ClientConfig } from 'pg';
import pg from 'pg';

/** What a connection needs: the URL, TLS, the schema and how long to wait. */
export interface ConnectionSettings {
  url: string;
  schema: string;
  ssl?: boolean | Record<string, unknown> | undefined;
  connectTimeoutMs: number;
  applicationName: string;
}

const INT8 = 20;

/**
 * `pg` settings for one obs connection: `search_path` set to the schema at connect (the name is
 * validated, never quoted), TLS passed through, and `bigint` read as a JS number on this connection
 * only (obs counters and epoch milliseconds stay far below 2^53; the global parser is left alone).
 */
export function clientConfig(settings: ConnectionSettings): ClientConfig {
  return {
    connectionString: settings.url,
    ...(settings.ssl === undefined ? {} : { ssl: settings.ssl as ClientConfig['ssl'] }),
    connectionTimeoutMillis: settings.connectTimeoutMs,
    application_name: settings.applicationName,
    options: `-c search_path=${settings.schema}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  };
}

const guarded = new WeakSet<pg.PoolClient>();

/**
 * A client from `pool` that cannot crash the process: `pg` emits `error` on a checked-out client
 * whose connection the server ends (the pool listens only while it is idle), and an `error` event
 * without a listener is thrown. The query in progress rejects with that error anyway.
 */
export async function checkOut(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => {});
  }
  return client;
}
