import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fixture, tempDir } from './test/fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** Writers started here: one still running when the test ends (a failed step) is SIGKILLed. */
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
const START_TIMEOUT_MS = 15_000;

/** Starts the crash writer, SIGKILLs it `afterMs` after its first commit; resolves with the last reported commit. */
function writeUntilKilled(path: string, runId: string, afterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture('crash-writer.mjs'), path, runId, '300'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let committed = 0;
    let pending = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const notStarted = setTimeout(() => {
      err += `no commit reported in ${START_TIMEOUT_MS} ms`;
      child.kill('SIGTERM');
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      clearTimeout(notStarted);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) committed = Number(line.split(' ')[1]);
      timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(notStarted);
      if (signal === 'SIGKILL') resolve(committed);
      else reject(new Error(`crash writer ended on its own (${signal ?? _code}): ${err}`));
    });
  });
}

it('SIGKILL at random moments: the file opens, passes integrity_check and holds every committed batch', async () => {
  const path = join(dir, 'crash.db');
  const rounds = 5;
  for (let round = 0; round < rounds; round++) {
    const runId = `crash-${round}`;
    const committed = await writeUntilKilled(path, runId, 50 + Math.floor(Math.random() * 400));
    expect(committed).toBeGreaterThan(0);

    const db = new Database(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const run = db
      .prepare('SELECT count(*) AS n, count(DISTINCT seq) AS d, max(seq) AS top FROM events WHERE run_id = ?')
      .get(runId) as { n: number; d: number; top: number };
    expect(run.n).toBeGreaterThanOrEqual(committed);
    expect(run.n % 300).toBe(0);
    expect(run.d).toBe(run.n);
    expect(run.top).toBe(run.n - 1);
    expect(db.prepare('SELECT event_count FROM runs WHERE run_id = ?').pluck().get(runId)).toBe(run.n);
    db.close();
  }
}, 60_000);
