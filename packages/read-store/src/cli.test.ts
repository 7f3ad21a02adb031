import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshSchema } from '@obs/sink-postgres/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { parseCsv } from './test/contract.js';
import { buildFixture, type Fixture } from './test/fixture.js';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const pgUrl = inject('pgUrl');
const pgSchema = freshSchema('cli');
let fx: Fixture;
beforeAll(async () => {
  fx = await buildFixture({ bulk: 50, postgres: { url: pgUrl, schema: pgSchema } });
}, 60_000);
afterAll(() => fx.cleanup());

function obs(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: fx.dir,
    env: { ...process.env, OBS_STORE: '', OBS_POSTGRES_SCHEMA: pgSchema, ...env },
    timeout: 20_000,
  });
}

describe.each(['sqlite', 'jsonl', 'postgres'] as const)('obs on a %s store', (kind) => {
  const store = () => ['--store', kind === 'sqlite' ? fx.sqlitePath : kind === 'jsonl' ? fx.jsonlDir : pgUrl];

  it('obs last N prints the newest events, oldest first', () => {
    const r = obs(['last', '3', ...store()]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('bulk 49');
    expect(lines[0]).toContain('bulk 47');
  });

  it('obs events filters by type, status and source; --json gives canonical lines', () => {
    const r = obs([
      'events',
      '--type',
      'llm.call',
      '--status',
      'error',
      '--source',
      'agent-a',
      '--json',
      ...store(),
    ]);
    expect(r.status).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.payload.model)).toEqual(['claude']);
    const text = obs(['events', '--type', 'span', '--run', 'run-3', '-n', '2', ...store()]);
    expect(text.stdout).toMatch(/\[span\] fetch → ok \(10ms\)\n.*\[span\] fetch → ok \(20ms\)\n$/);
  });

  it('obs tree draws the trace with durations and status', () => {
    const r = obs(['tree', 'run-1', ...store()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[span] plan → ok (40ms)');
    expect(r.stdout).toMatch(/\n[├└]─ \[llm\.call\] openai\/gpt-4o → ok \(30ms\)/);
    expect(r.stdout).toMatch(/\n {3}└─ \[tool\.result\] search → ok/);
    const cycle = obs(['tree', 'run-cycle', ...store()]);
    expect(cycle.stdout).toContain('[orphan]');
    expect(cycle.stdout).toContain('[cycle]');
  });

  it('obs stats, runs and sessions print tables and JSON', () => {
    const stats = obs(['stats', ...store()]);
    expect(stats.status).toBe(0);
    expect(stats.stdout).toContain('latency by operation');
    expect(stats.stdout).toMatch(/fetch\s+10\s+0\s+50ms\s+100ms\s+100ms/);
    const json = JSON.parse(obs(['stats', '--json', '--group-by', 'layer', ...store()]).stdout);
    expect(json.groups.map((g: { key: string }) => g.key)).toEqual(['tool', 'agent']);
    const runs = obs(['runs', ...store()]);
    expect(runs.stdout.split('\n')[2]).toMatch(/^run-bulk\s+running/);
    expect(JSON.parse(obs(['runs', '--status', 'failure', '--json', ...store()]).stdout)[0].run_id).toBe(
      'run-2',
    );
    expect(obs(['sessions', ...store()]).stdout).toMatch(/sess-1\s+error\s+2\s+2/);
  });

  it('obs export writes CSV and JSONL', () => {
    const csv = obs(['export', '--run', 'run-3', '--format', 'csv', ...store()]);
    expect(csv.status).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows).toHaveLength(13);
    const jsonl = obs(['export', '--run', 'run-3', ...store()]);
    expect(jsonl.stdout.trim().split('\n')).toHaveLength(12);
  });
});

describe('obs errors and help', () => {
  it('prints help', () => {
    const r = obs(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: obs <command>');
    expect(obs([]).status).toBe(2);
  });

  it('exits 2 with a clear message for a missing, foreign or non-obs store', () => {
    const missing = obs(['runs', '--store', join(fx.dir, 'nope.db')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no obs store at');
    const text = join(fx.dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    const foreign = obs(['runs', '--store', text]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain('is not an obs store');
    const other = join(fx.dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const nonObs = obs(['runs', '--store', other]);
    expect(nonObs.status).toBe(2);
    expect(nonObs.stderr).toContain('no obs schema');
    const fake = join(fx.dir, 'fake.db');
    writeFileSync(fake, 'SQLite format 3\u0000 but garbage after that'.repeat(10));
    const broken = obs(['runs', '--store', fake]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/obs: /);
  });

  it('exits 2 for an unreachable or non-obs PostgreSQL store, never printing the password', () => {
    const password = decodeURIComponent(new URL(pgUrl).password);
    const dead = new URL(pgUrl);
    dead.port = '1';
    const unreachable = obs(['runs', '--store', dead.href]);
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr).toContain('postgres://obs:***@127.0.0.1:1/postgres');
    const empty = obs(['runs', '--store', pgUrl], { OBS_POSTGRES_SCHEMA: 'no_such_schema' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no obs tables');
    for (const r of [unreachable, empty]) expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('exits 2 for bad usage and 1 for an unknown run', () => {
    expect(obs(['frobnicate', '--store', fx.sqlitePath]).status).toBe(2);
    expect(obs(['runs', '--bogus', '--store', fx.sqlitePath]).status).toBe(2);
    const bad = obs(['events', '--status', 'maybe', '--store', fx.sqlitePath]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('status');
    const unknown = obs(['tree', 'no-such-run', '--store', fx.sqlitePath]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('run "no-such-run" not found');
  });

  it('reads OBS_STORE', () => {
    const r = obs(['runs', '-n', '1'], { OBS_STORE: fx.sqlitePath });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('run-bulk');
  });

  it('follows new events with tail -f until interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'tail', '-f', '--store', fx.sqlitePath], { cwd: fx.dir });
    // tail -f runs until told to stop: never leave it running when an expectation fails first
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    const output: (() => void)[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const wake of output.splice(0)) wake();
    });
    // `tail -f` follows from the moment it opened the store and prints nothing before an event
    // arrives: no output says when that moment has come. So append a numbered event, wait for
    // output (or a while), and append again until one comes through; bounded, not paced.
    const deadline = Date.now() + 20_000;
    for (let n = 0; !/\[log\] followed! \d+/.test(out); n++) {
      if (Date.now() > deadline) throw new Error(`tail -f printed no appended event in 20 s: ${out}`);
      await fx.append((o) => {
        o.emit('log', { level: 'info', message: `followed! ${n}` }, { run_id: 'run-follow' });
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        output.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    expect(out).toMatch(/\[log\] followed! \d+/);
    expect(code).toBe(0);
  });
});
