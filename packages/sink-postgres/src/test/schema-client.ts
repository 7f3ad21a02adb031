import pg from 'pg';
import { afterEach } from 'vitest';
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

/**
 * The schemas and clients a test file opens: a test pushes its schemas to `schemas` and opens clients
 * with `connect(schema)`; after each test the clients are ended and the schemas dropped.
 */
export function perTestSchemas(url: string): {
  schemas: string[];
  connect: (schema: string) => Promise<pg.Client>;
} {
  const schemas: string[] = [];
  const clients: pg.Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end();
    for (const s of schemas.splice(0)) await dropSchema(url, s);
  });
  return { schemas, connect: (schema) => connectTo(url, schema, clients) };
}
