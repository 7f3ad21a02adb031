import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import type { JsonlDurability } from './options.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const storedLines = (d: string) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean));

const CASES: [JsonlDurability, number][] = [
  ['batch', 300_000],
  ['flush', 100_000],
  ['fsync', 30_000],
];

describe('lossless by default: a synchronous loop that overfills the queue loses nothing (regression)', () => {
  it.each(CASES)(
    'durability %s: stores all %i log events',
    async (durability, total) => {
      dir = mkdtempSync(join(tmpdir(), 'obs-jsonl-lossless-'));
      const sinks = [createJsonlSink({ dir, durability })];
      const obs = createObservability({ source: 'loop', defaultRunId: 'r', sinks });
      for (let i = 0; i < total; i++) obs.emit('log', { level: 'info', message: `event ${i}` });
      await obs.shutdown();
      expect(obs.stats().sinks[0]).toMatchObject({ dropped: 0, failed: 0, written: total });
      const seqs = storedLines(dir).map((line) => JSON.parse(line).seq as number);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    },
    120_000,
  );
});
