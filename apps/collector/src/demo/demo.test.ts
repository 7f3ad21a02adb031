import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killedAfterEach } from '../test/harness.js';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'demo', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'obs-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children = killedAfterEach();
const START_TIMEOUT_MS = 60_000;

describe('the demo (npm start)', () => {
  it('prints its options with --help and refuses bad values with exit code 2', () => {
    const sync = { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' } as const;
    const help = spawnSync(process.execPath, [MAIN, '--help'], sync);
    expect(help.status).toBe(0);
    for (const option of [
      '--duration',
      '--rate',
      '--seed',
      '--data-dir',
      '--admin-port',
      '--collector-port',
      '--trace',
    ])
      expect(help.stdout).toContain(option);
    const bad = spawnSync(process.execPath, [MAIN, '--rate', 'fast'], sync);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--rate "fast": expected runs per second');
  });

  it('with --trace prints the live trace of the workload on stderr, nested, each line led by its run id', () => {
    const traced = spawnSync(
      process.execPath,
      [
        MAIN,
        '--trace',
        '--exit',
        '--duration',
        '1',
        '--rate',
        '2',
        '--data-dir',
        join(dir, 'traced'),
        '--collector-port',
        '0',
      ],
      {
        encoding: 'utf8',
        timeout: START_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    expect(traced.status, traced.stderr).toBe(0);
    expect(traced.stderr).toMatch(/^run-42-0001 \[run\] started: /m);
    expect(traced.stderr).toMatch(/^run-42-0001 {3}└─\[llm\] plan → ok \(\d/m);
    expect(traced.stderr).toMatch(/^run-42-0001 {7}└─\[llm\] [\w.-]+: \d+ tok → \d+ tok /m);
    expect(traced.stderr).toMatch(/^run-42-0001 \[agent\] agent\.run: /m);
    expect(traced.stderr).not.toContain('\x1b');
  });

  it('writes the workload to SQLite and JSONL and serves it on the dashboard until SIGTERM', {
    timeout: START_TIMEOUT_MS + 30_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--duration',
        '1',
        '--rate',
        '6',
        '--data-dir',
        dir,
        '--admin-port',
        '0',
        '--collector-port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    const dashboard = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no dashboard URL in ${START_TIMEOUT_MS} ms:\n${out}`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited (${code}) before serving the dashboard:\n${out}`));
      });
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Serving the dashboard at (http:\/\/\S+?)\/? —/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(out).toMatch(/Trace of run-42-0001:\n[^\n]+\n\[run\.started\]/);
    expect(out).toMatch(/dropped 0, failed 0/);
    expect(existsSync(join(dir, 'events.db'))).toBe(true);
    expect(readdirSync(join(dir, 'jsonl')).some((f) => f.endsWith('.jsonl'))).toBe(true);
    const runs = (await (await fetch(`${dashboard}/api/runs`)).json()) as { items: { run_id: string }[] };
    expect(runs.items.map((r) => r.run_id)).toContain('run-42-0001');
    expect(runs.items).toHaveLength(6);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
