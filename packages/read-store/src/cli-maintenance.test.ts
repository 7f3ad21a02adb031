import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRecord } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { day, TRAIL_KEY, writeDailyTrail } from './test/daily-trail.js';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KEY = TRAIL_KEY;
let dir: string;
let trail: string;

/** A keyed trail of 4 daily files × 50 events, timestamps on the day of their file. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-cli-maint-'));
  trail = join(dir, 'trail');
  await writeDailyTrail(trail, (d, i) =>
    makeRecord(d * 100 + i, { run_id: `run-${d}`, timestamp: new Date(day(d) + i * 1000).toISOString() }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function obs(args: string[], env: Record<string, string> = { OBS_AUDIT_KEY: KEY }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, OBS_STORE: '', OBS_AUDIT_KEY: '', ...env },
    timeout: 30_000,
  });
}

const dataFiles = () =>
  readdirSync(trail)
    .filter((n) => n.endsWith('.jsonl'))
    .sort();

describe('obs verify, import, prune', () => {
  it('verify: ok with the key, refused without it, names file:line of a modified line', () => {
    const ok = obs(['verify', trail]);
    expect(ok.stdout).toMatch(/^obs verify: ok, 4 files, 200 sealed lines/);
    expect(ok.status).toBe(0);
    const unkeyed = obs(['verify', trail], {});
    expect(unkeyed.status).toBe(1);
    expect(unkeyed.stdout).toContain('OBS_AUDIT_KEY');
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `${KEY}\n`);
    expect(obs(['verify', trail, '--key-file', keyFile], {}).status).toBe(0);
    const file = join(trail, dataFiles()[1]!);
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('"seq":107,', '"seq":108,'));
    const bad = obs(['verify', trail]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`FAILED at ${dataFiles()[1]}:8: the line was modified`);
    writeFileSync(file, original);
  });

  it('import: one summary line off a terminal; verify --db lists every missing or different event', () => {
    const db = join(dir, 'obs.db');
    const imported = obs(['import', trail, '--into', db]);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(
      /^obs import: 200 events read, 200 new, 0 already in the store, 0 corrupt lines skipped, in [\d.]+ s \([\d,]+ events\/s\)\n$/,
    );
    expect(obs(['import', trail, '--into', db]).stdout).toContain('0 new, 200 already in the store');
    expect(obs(['verify', trail, '--db', db]).stdout).toContain(
      'store: all 200 trail events are in obs.db with the same bytes',
    );
    const w = new Database(db);
    const [a, b] = w.prepare('SELECT event_id FROM event_rows ORDER BY id LIMIT 2 OFFSET 60').all() as {
      event_id: string;
    }[];
    w.prepare('DELETE FROM event_rows WHERE event_id = ?').run(a!.event_id);
    w.prepare(
      'UPDATE event_rows SET json = replace(json, \'"status":null\', \'"status":"ok"\') WHERE event_id = ?',
    ).run(b!.event_id);
    w.close();
    const checked = obs(['verify', trail, '--db', db]);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toContain('store: 2 of 200 trail events missing from or different in obs.db');
    expect(checked.stdout).toMatch(new RegExp(`missing\\s+${dataFiles()[1]}:11\\s+${a!.event_id}`));
    expect(checked.stdout).toMatch(new RegExp(`different\\s+${dataFiles()[1]}:12\\s+${b!.event_id}`));
  });

  it('import: a progress bar on a terminal (stderr a TTY, here through script(1))', () => {
    const db = join(dir, 'tty.db');
    const command = [process.execPath, BIN, 'import', trail, '--into', db].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      cwd: dir,
      timeout: 30_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/import \[[█░]+\] 100% \| 200 events/);
    expect(r.stdout).toContain('obs import: 200 events read, 200 new');
  });

  it('prune: old days leave the store and the trail (whole files), and both still verify', () => {
    const db = join(dir, 'pruned.db');
    expect(obs(['import', trail, '--into', db]).status).toBe(0);
    const r = obs([
      'prune',
      '--before',
      new Date(day(2) + 3_600_000).toISOString(),
      '--store',
      db,
      '--trail',
      trail,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('obs prune: 100 events before');
    expect(r.stdout).toContain('runs 0 recomputed, 2 removed');
    expect(r.stdout).toMatch(/obs prune: 2 trail files \([\d.]+ MB\) before .* removed/);
    expect(dataFiles()).toHaveLength(2);
    const v = obs(['verify', trail, '--db', db]);
    expect(v.stdout).toContain('store: all 100 trail events are in pruned.db with the same bytes');
    expect(v.status).toBe(0);
  });

  it('bad usage exits 2 with what was expected', () => {
    expect(obs(['verify']).stderr).toContain('obs verify expects a trail');
    expect(obs(['import', trail]).stderr).toContain('--into');
    const prune = obs(['prune', '--store', 'x.db']);
    expect(prune.status).toBe(2);
    expect(prune.stderr).toContain('--before');
    expect(obs(['prune', '--before', '30d']).stderr).toContain('--store <file.db>, --trail <dir>');
    expect(obs(['verify', join(dir, 'nope')]).status).not.toBe(0);
  });
});
