import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createObservability } from '@obs/core';
import { verifyTrail } from '@obs/store-format';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import { readAll, records, tempDir } from './test/helpers.js';

const child = fileURLToPath(new URL('../test-fixtures/crash-child.mjs', import.meta.url));
const { dir, cleanup } = tempDir();
afterAll(() => cleanup());

/** Children started here: one still running when the test ends (a failed step) is SIGKILLed. */
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
const START_TIMEOUT_MS = 15_000;

/**
 * Runs the child until a random moment after it reported its first written batch, SIGKILLs it,
 * returns the last seq it reported written.
 */
function runAndKill(runId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    let out = '';
    let err = '';
    const notReady = setTimeout(() => {
      err += `no write reported in ${START_TIMEOUT_MS} ms`;
      proc.kill('SIGTERM');
    }, START_TIMEOUT_MS);
    let killTimer: NodeJS.Timeout | undefined;
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      // the crash moment is random, but never before a write was reported: each round checks one
      if (killTimer === undefined && /^\d+$/m.test(out)) {
        clearTimeout(notReady);
        killTimer = setTimeout(() => proc.kill('SIGKILL'), Math.random() * 250);
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      clearTimeout(notReady);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended without being killed: ${err}`));
      const acked = out
        .split('\n')
        .slice(0, -1)
        .filter((l) => /^\d+$/.test(l))
        .map(Number);
      resolve(acked.at(-1) ?? 0);
    });
  });
}

it('loses no event the killed child reported written, and a restarted writer appends cleanly', {
  timeout: 60_000,
}, async () => {
  const rounds = 5;
  let corruptBefore = 0;
  for (let round = 0; round < rounds; round++) {
    const runId = `run-${round}`;
    const acked = await runAndKill(runId);
    expect(acked).toBeGreaterThan(0);
    const { events, report } = await readAll(dir);
    const seqs = events.filter((e) => e.run_id === runId).map((e) => e.seq);
    // every reported event is there, nothing is duplicated, and what was written is a gap-free prefix
    expect(seqs.length).toBeGreaterThanOrEqual(acked);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(report.corrupt - corruptBefore).toBeLessThanOrEqual(1);
    expect(report.issues.every((i) => i.reason === 'torn' || i.reason === 'json')).toBe(true);
    corruptBefore = report.corrupt;
  }

  const sink = createJsonlSink({ dir, durability: 'flush' });
  const obs = createObservability({
    source: 'after',
    sinks: [sink],
    defaultRunId: 'final',
  });
  for (let i = 0; i < 10; i++) obs.emit('log', { level: 'info', message: `after crash ${i}` });
  await obs.shutdown();
  const { events, report } = await readAll(dir);
  expect(events.filter((e) => e.run_id === 'final').map((e) => e.seq)).toEqual([
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ]);
  expect(events.at(-1)!.run_id).toBe('final');
  expect(report.corrupt).toBeLessThanOrEqual(rounds);
  // each restart sealed what the killed writer left unsealed (torn tails included): the chain holds
  const verified = await verifyTrail(dir);
  expect(verified.problems).toEqual([]);
  expect(verified.sealedLines).toBe(report.lines);

  // a writer killed after a clean shutdown: it reopened the closed file, the next one seals its lines
  expect(await runAndKill('after-clean')).toBeGreaterThan(0);
  const last = createJsonlSink({ dir, durability: 'flush' });
  await last.write(records(9_000, 3));
  await last.close();
  const again = await readAll(dir);
  const reverified = await verifyTrail(dir);
  expect(reverified.problems).toEqual([]);
  expect(reverified.warnings.filter((w) => w.kind !== 'torn')).toEqual([]);
  expect(reverified.sealedLines).toBe(again.report.lines);
});
