import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createObservability } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import { trailFileName } from '@obs/store-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import { readAll, tempDir, trailNames } from './test/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('rotation', () => {
  it('by size: files stay under maxBytes, sort in time order, and lose or repeat nothing', async () => {
    const sink = createJsonlSink({ dir, rotation: { maxBytes: 4096 } });
    const obs = createObservability({
      source: 'rot',
      sinks: [{ sink, queue: { batchSize: 37 } }],
      defaultRunId: 'r',
    });
    for (let i = 0; i < 1000; i++)
      obs.emit('log', { level: 'info', message: `message ${i} ${'ü'.repeat(i % 50)}` });
    await obs.shutdown();
    const names = trailNames(dir);
    expect(names.length).toBeGreaterThan(50);
    expect([...names].sort()).toEqual(names.sort());
    for (const name of names) {
      expect(name).toMatch(/^events\.\d{8}T\d{9}Z-\d{3}\.jsonl$/);
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(4096);
    }
    const { seqs, report } = await readAll(dir);
    expect(seqs).toEqual(range(1000));
    expect(report.corrupt).toBe(0);
  });

  it('by age, with a new file once intervalMs has passed', async () => {
    let now = Date.UTC(2026, 0, 1);
    const sink = createJsonlSink({ dir, rotation: { intervalMs: 60_000 }, clock: () => now });
    await sink.write([makeRecord(1), makeRecord(2)]);
    now += 59_999;
    await sink.write([makeRecord(3)]);
    now += 1;
    await sink.write([makeRecord(4)]);
    now += 3_600_000;
    await sink.write([makeRecord(5)]);
    await sink.close();
    expect(trailNames(dir).sort()).toEqual([
      trailFileName('events', Date.UTC(2026, 0, 1)),
      trailFileName('events', Date.UTC(2026, 0, 1, 0, 1)),
      trailFileName('events', Date.UTC(2026, 0, 1, 1, 1)),
    ]);
    expect((await readAll(dir)).seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('gzips rotated files, keeps the active one plain, and reads all back in order', async () => {
    const sink = createJsonlSink({ dir, rotation: { maxBytes: 8192, gzip: true } });
    const obs = createObservability({
      source: 'gz',
      sinks: [{ sink, queue: { batchSize: 50 } }],
      defaultRunId: 'r',
    });
    for (let i = 0; i < 600; i++) obs.emit('log', { level: 'info', message: `line ${i}` });
    await obs.shutdown();
    const names = trailNames(dir).sort();
    const plain = names.filter((n) => n.endsWith('.jsonl'));
    expect(plain).toHaveLength(1);
    expect(plain[0]).toBe(names.at(-1)!.replace(/\.gz$/, ''));
    expect(names.filter((n) => n.endsWith('.jsonl.gz')).length).toBeGreaterThan(5);
    expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
    expect((await readAll(dir)).seqs).toEqual(range(600));
  });

  it('finishes what a crash interrupted during compression, without duplicates', async () => {
    const done = join(dir, trailFileName('events', Date.UTC(2026, 0, 1)));
    const pending = join(dir, trailFileName('events', Date.UTC(2026, 0, 2)));
    const [one, two, three] = [makeRecord(1), makeRecord(2), makeRecord(3)].map((r) => `${r.json}\n`);
    writeFileSync(done, one!);
    writeFileSync(`${done}.gz`, gzipSync(one!));
    writeFileSync(`${pending}.gz.tmp`, 'half a gzip stream');
    writeFileSync(pending, two! + three!);
    const sink = createJsonlSink({ dir, rotation: { maxBytes: 1 << 20, gzip: true } });
    await sink.write([makeRecord(4)]);
    await sink.close();
    const names = trailNames(dir).sort();
    expect(names.slice(0, 2)).toEqual([
      `${trailFileName('events', Date.UTC(2026, 0, 1))}.gz`,
      `${trailFileName('events', Date.UTC(2026, 0, 2))}.gz`,
    ]);
    expect(names).toHaveLength(3);
    expect((await readAll(dir)).seqs).toEqual([1, 2, 3, 4]);
  });

  it('per event type, each type rotates on its own', async () => {
    const sink = createJsonlSink({ dir, routeBy: 'event_type', rotation: { maxBytes: 2048 } });
    const batch = range(60).map((i) => makeRecord(i, { event_type: i % 3 === 0 ? 'tool.call' : 'log' }));
    await sink.write(batch);
    await sink.close();
    const stems = new Set(trailNames(dir).map((n) => n.split('.20')[0]));
    expect(stems).toEqual(new Set(['log', 'tool.call']));
    const tool = await readAll(dir);
    expect(tool.events.filter((e) => e.event_type === 'tool.call').map((e) => e.seq)).toEqual(
      range(20).map((i) => i * 3),
    );
    expect(tool.seqs).toHaveLength(60);
    expect(readFileSync(join(dir, trailNames(dir).sort()[0]!), 'utf8').endsWith('\n')).toBe(true);
  });
});
