import pg from 'pg';
import { clientConfig } from '../internal/connection-config.js';

/** Runs `fn` on a connection of its own to `url` with `search_path` set to `schema`, then ends it. */
export async function withSchema<T>(
  url: string,
  schema: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(
    clientConfig({ url, schema, connectTimeoutMs: 10_000, applicationName: 'obs-test' }),
  );
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a test's schema and everything in it. */
export function dropSchema(url: string, schema: string): Promise<void> {
  return withSchema(url, 'public', async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });
}

/** A connected client on `schema`, kept in `clients` for the test to end. */
export async function connectTo(url: string, schema: string, clients: pg.Client[]): Promise<pg.Client> {
  const client = new pg.Client(
    clientConfig({ url, schema, connectTimeoutMs: 10_000, applicationName: 'obs-test' }),
  );
  await client.connect();
  clients.push(client);
  return client;
}
