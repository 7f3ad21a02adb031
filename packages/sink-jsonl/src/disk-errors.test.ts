import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import { readAll, tempDir } from './test/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const quickRetry = { retryBaseMs: 5, retryMaxMs: 20 };

describe('disk errors', () => {
  it.each(['batch', 'flush', 'fsync'] as const)(
    'an unwritable directory (%s) is retried, counted and reported, and never throws into the host',
    async (durability) => {
      const blocker = join(dir, 'not-a-dir');
      writeFileSync(blocker, 'a file where the directory should be');
      const errors: string[] = [];
      const sink = createJsonlSink({ dir: join(blocker, 'trail'), durability });
      const obs = createObservability({
        source: 'err',
        sinks: [{ sink, queue: { ...quickRetry, maxRetries: 2 } }],
        defaultRunId: 'r',
        onError: (error, name) => errors.push(`${name}: ${error.message}`),
      });
      for (let i = 0; i < 5; i++) obs.emit('log', { level: 'error', message: `m${i}` });
      await obs.flush();
      const stats = obs.stats().sinks[0]!;
      expect(stats).toMatchObject({ failed: 5, written: 0, retries: 2 });
      expect(stats.last_error).toMatch(/ENOTDIR|EEXIST/);
      expect(stats.health.ok).toBe(false);
      // 1 attempt + 2 retries, then one write per half of the batch (both fail, so no further split)
      expect(errors).toHaveLength(5);
      expect(errors[0]).toMatch(/^jsonl: /);
      await obs.shutdown();
    },
  );

  it.each(['batch', 'flush'] as const)(
    'a directory removed under the sink (%s) surfaces as a retry and the next events go to a new file',
    async (durability) => {
      const trail = join(dir, 'trail');
      const sink = createJsonlSink({ dir: trail, durability });
      const obs = createObservability({
        source: 'rm',
        sinks: [{ sink, queue: quickRetry }],
        defaultRunId: 'r',
      });
      for (let i = 0; i < 10; i++) obs.emit('log', { level: 'info', message: `before ${i}` });
      await obs.flush();
      rmSync(trail, { recursive: true });
      for (let i = 0; i < 10; i++) obs.emit('log', { level: 'info', message: `after ${i}` });
      await obs.flush();
      expect(obs.stats().sinks[0]).toMatchObject({ retries: 1, failed: 0, written: 20, last_error: null });
      expect((await readAll(trail)).seqs).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      await obs.shutdown();
    },
  );

  it('a retry after a partly written batch writes only what is missing', async () => {
    const blocked = join(dir, 'log.jsonl');
    mkdirSync(blocked);
    const sink = createJsonlSink({ dir, routeBy: 'event_type' });
    const obs = createObservability({
      source: 'partial',
      sinks: [{ sink, queue: { retryBaseMs: 30 } }],
      defaultRunId: 'r',
      onError: () => rmdirSync(blocked),
    });
    obs.emit('tool.call', { tool: 'a' });
    obs.emit('log', { level: 'info', message: 'b' });
    obs.emit('tool.call', { tool: 'c' });
    await obs.flush();
    expect(obs.stats().sinks[0]).toMatchObject({ retries: 1, written: 3, failed: 0, batches: 1 });
    const { events } = await readAll(dir);
    expect(events.map((e) => `${e.event_type}:${e.seq}`).sort()).toEqual([
      'log:2',
      'tool.call:1',
      'tool.call:3',
    ]);
    await obs.shutdown();
  });
});
