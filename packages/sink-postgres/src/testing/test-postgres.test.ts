import pg from 'pg';
import { expect, inject, it } from 'vitest';

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
