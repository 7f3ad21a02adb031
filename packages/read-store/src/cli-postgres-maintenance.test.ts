import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uuidv7 } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import { freshSchema } from '@obs/sink-postgres/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { day, TRAIL_KEY, writeDailyTrail } from './test/daily-trail.js';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KEY = TRAIL_KEY;
const url = inject('pgUrl');
const password = new URL(url).password;
const schema = freshSchema('cli');
let dir: string;
let trail: string;

/** A keyed trail of 4 daily files × 50 events, ids and timestamps on the day of their file. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-cli-pg-'));
  trail = join(dir, 'trail');
  await writeDailyTrail(trail, (d, i) =>
    makeRecord(d * 100 + i, {
      event_id: uuidv7(day(d) + i * 1000),
      run_id: `run-${d}`,
      session_id: `s-${d % 2}`,
      timestamp: new Date(day(d) + i * 1000).toISOString(),
    }),
  );
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

function obs(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, OBS_STORE: '', OBS_AUDIT_KEY: KEY, OBS_POSTGRES_SCHEMA: schema },
    timeout: 60_000,
  });
}

async function sql(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe('obs verify, import, prune against a PostgreSQL store', () => {
  it('import through sink-postgres; a rerun inserts nothing; verify --db finds every event', () => {
    const first = obs(['import', trail, '--into', url]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('obs import: 200 events read, 200 new');
    expect(obs(['import', trail, '--into', url]).stdout).toContain('0 new, 200 already in the store');
    const v = obs(['verify', trail, '--db', url]);
    expect(v.stdout).toContain('store: all 200 trail events are in postgres://obs:***@');
    expect(v.stdout).not.toContain(password);
    expect(v.status).toBe(0);
  });

  it('verify --db names each event missing from or different in the store, and one only in the store', async () => {
    const [changed, removed] = await sql(
      'SELECT event_id::text AS id FROM events ORDER BY ts LIMIT 2 OFFSET 60',
    );
    await sql(`UPDATE events SET json = replace(json, '"seq":', '"seq": ') WHERE event_id = $1`, [
      changed!['id'],
    ]);
    const [gone] = await sql('DELETE FROM events WHERE event_id = $1 RETURNING *', [removed!['id']]);
    const extra = { ...gone!, event_id: uuidv7(day(1) + 999), id: undefined, xid: undefined };
    await sql(
      `INSERT INTO events (event_id, ts, event_type, source, run_id, audit_level, json)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        extra.event_id,
        gone!['ts'],
        gone!['event_type'],
        gone!['source'],
        gone!['run_id'],
        gone!['audit_level'],
        '{}',
      ],
    );
    const v = obs(['verify', trail, '--db', url]);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain(
      'store: 2 of 200 trail events missing from or different in postgres://obs:***@',
    );
    expect(v.stdout).toMatch(new RegExp(`different\\s+\\S+\\.jsonl:\\d+\\s+${changed!['id']}`));
    expect(v.stdout).toMatch(new RegExp(`missing\\s+\\S+\\.jsonl:\\d+\\s+${removed!['id']}`));
    expect(v.stdout).toContain('store: 1 events in the store are not in the trail');
    const json = JSON.parse(obs(['verify', trail, '--db', url, '--json']).stdout);
    expect(json.store.mismatches.map((m: { kind: string }) => m.kind).sort()).toEqual([
      'different',
      'missing',
    ]);
    await sql('DELETE FROM events WHERE event_id = $1', [extra.event_id]);
    await sql('DELETE FROM events WHERE event_id = $1', [changed!['id']]);
    expect(obs(['import', trail, '--into', url]).stdout).toContain('2 new, 198 already in the store');
  });

  it('prune drops the old days from the store and the trail, and both still verify', async () => {
    const r = obs([
      'prune',
      '--before',
      new Date(day(2) + 3_600_000).toISOString(),
      '--store',
      url,
      '--trail',
      trail,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      `obs prune: 2 daily partitions before ${new Date(day(2)).toISOString()} dropped from postgres://obs:***@`,
    );
    expect(r.stdout).toContain('runs 0 recomputed, 2 removed; sessions 2 recomputed, 0 removed');
    expect(r.stdout).not.toContain(password);
    expect(await sql('SELECT run_id, event_count FROM runs ORDER BY run_id')).toEqual([
      { run_id: 'run-2', event_count: '50' },
      { run_id: 'run-3', event_count: '50' },
    ]);
    expect(await sql('SELECT count(*)::int AS n FROM stats_rollups WHERE bucket_ts < $1', [day(2)])).toEqual([
      { n: 0 },
    ]);
    const v = obs(['verify', trail, '--db', url]);
    expect(v.stdout).toContain('store: all 100 trail events are in postgres://obs:***@');
    expect(v.status).toBe(0);
  });

  it('a wrong password or a schema without obs tables exits 2 without echoing the password', () => {
    const wrong = new URL(url);
    wrong.password = 'hunter2-secret';
    for (const args of [
      ['verify', trail, '--db', wrong.href],
      ['prune', '--before', '1d', '--store', wrong.href],
    ]) {
      const r = obs(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/password authentication failed/);
      expect(r.stderr).not.toContain('hunter2-secret');
    }
    const r = spawnSync(process.execPath, [BIN, 'verify', trail, '--db', url], {
      encoding: 'utf8',
      env: { ...process.env, OBS_AUDIT_KEY: KEY, OBS_POSTGRES_SCHEMA: freshSchema('none') },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no obs tables');
  });
});
