import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeEnvelope } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { afterAll, expect, it } from 'vitest';
import { openJsonlReadStore } from './jsonl-read-store.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-jsonl-store-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVENTS = 220_000;

/** ~200 MB of distinct ~900-byte events over 1000 runs, written as fast as the disk takes them. */
function writeBigTrail(): void {
  const template = serializeEnvelope(
    makeEnvelope(0, { run_id: 'run-RUN', payload: { level: 'info', message: 'x'.repeat(560) } }),
  );
  const [before, after] = template.split(/"event_id":"[^"]+"/) as [string, string];
  const fd = openSync(join(dir, 'events.jsonl'), 'w');
  let chunk = '';
  for (let i = 0; i < EVENTS; i++) {
    const id = `01${i.toString(16).padStart(6, '0')}-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
    chunk += `${before}"event_id":"${id}"${after.replace('run-RUN', `run-${i % 1000}`)}\n`;
    if (chunk.length > 4 * 2 ** 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/** Peak RSS growth (MiB) while `fn` runs, sampled every 20 ms. */
async function peakGrowth(fn: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return (Math.max(peak, process.memoryUsage.rss()) - baseline) / 2 ** 20;
}

it('opens a 200 MB trail, and reopens it from its sidecar index, with RSS growing by less than 120 MB', {
  timeout: 180_000,
}, async () => {
  writeBigTrail();
  for (const pass of ['reads every line', 'reads the sidecar index']) {
    let count = 0;
    const growth = await peakGrowth(async () => {
      const store = await openJsonlReadStore(dir);
      count = (await store.stats()).total;
      const runs = await store.listRuns({ limit: 1000 });
      expect(runs.items, pass).toHaveLength(1000);
      await store.close();
    });
    expect(count, pass).toBe(EVENTS);
    expect(growth, pass).toBeLessThan(120);
  }
});
