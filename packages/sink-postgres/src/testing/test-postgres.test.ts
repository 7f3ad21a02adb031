import pg from 'pg';
import { expect, inject, it } from 'vitest';
import { postgresGlobalSetup } from './postgres-global-setup.js';

it('the throwaway cluster takes its URL and refuses a wrong password', async () => {
  const url = inject('pgUrl');
  const client = new pg.Client(url);
  await client.connect();
  const { rows } = await client.query('SELECT current_user AS u, inet_server_addr()::text AS addr');
  expect(rows[0]).toEqual({ u: 'obs', addr: '127.0.0.1/32' });
  await client.end();
  const wrong = new URL(url);
  wrong.password = 'wrong';
  const refused = new pg.Client(wrong.href);
  await expect(refused.connect()).rejects.toThrow(/password authentication failed/);
  await refused.end().catch(() => {});
});

it('postgresGlobalSetup provides a working cluster as pgUrl, and its teardown removes it', async () => {
  const provided = new Map<string, string>();
  const teardown = await postgresGlobalSetup({ provide: (key, value) => provided.set(key, value) });
  const url = provided.get('pgUrl')!;
  expect(url).toMatch(/^postgres:\/\/obs:[^@]+@127\.0\.0\.1:\d+\//);
  const client = new pg.Client(url);
  await client.connect();
  expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  await client.end();
  await teardown();
  const gone = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await expect(gone.connect()).rejects.toThrow();
  await gone.end().catch(() => {});
});
