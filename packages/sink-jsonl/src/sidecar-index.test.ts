import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { readTrailIndex } from '@obs/store-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import type { JsonlSinkOptions } from './options.js';
import { tempDir, trailNames } from './test/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function write(rotation: JsonlSinkOptions['rotation'], count = 800): Promise<void> {
  const sink = createJsonlSink({ dir, routeBy: 'event_type', rotation });
  const obs = createObservability({
    source: 'idx',
    sinks: [{ sink, queue: { batchSize: 29 } }],
    defaultRunId: 'r',
  });
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) obs.emit('log', { level: 'info', message: `message ${i} ${'ü'.repeat(i % 40)}` });
    else obs.emit('span', { operation: `op-${i % 4}` }, { status: 'ok', duration_ms: i });
  }
  await obs.shutdown();
}

describe('sidecar indexes written by the sink', () => {
  it('index every line of every rotated file by offset, and the last file at close', async () => {
    await write({ maxBytes: 8192 });
    const names = trailNames(dir);
    expect(names.length).toBeGreaterThan(10);
    expect(
      readdirSync(dir)
        .filter((n) => n.endsWith('.idx'))
        .sort(),
    ).toEqual(names.map((n) => `${n}.idx`).sort());
    let rows = 0;
    for (const name of names) {
      const path = join(dir, name);
      const data = await readTrailIndex(path);
      expect(data, name).toBeDefined();
      const text = readFileSync(path);
      const lines = text.toString('utf8').split('\n').slice(0, -1);
      expect(data!.identity).toMatchObject({ sealed: true, covered: text.length, size: text.length });
      expect([data!.rows, data!.lines]).toEqual([lines.length, lines.length]);
      for (let r = 0; r < data!.rows; r++) {
        const at = data!.columns.offset[r]!;
        const line = text.subarray(at, at + data!.columns.length[r]!).toString('utf8');
        const event = JSON.parse(line);
        expect(line).toBe(lines[r]);
        expect(data!.columns.ts[r]).toBe(Date.parse(event.timestamp));
        expect(data!.strings[data!.columns.type[r]!]).toBe(event.event_type);
        expect(data!.strings[data!.columns.name[r]!]).toBe(event.payload.operation ?? event.event_type);
      }
      rows += data!.rows;
    }
    expect(rows).toBe(800);
  });

  it('index the .gz of a compressed file, and no plain name', async () => {
    await write({ maxBytes: 8192, gzip: true }, 400);
    const idx = readdirSync(dir).filter((n) => n.endsWith('.idx'));
    const gz = trailNames(dir).filter((n) => n.endsWith('.gz'));
    expect(gz.length).toBeGreaterThan(2);
    for (const name of gz) {
      expect(idx).toContain(`${name}.idx`);
      expect(idx).not.toContain(`${name.slice(0, -3)}.idx`);
      expect((await readTrailIndex(join(dir, name)))?.identity.compressed).toBe(true);
    }
  });

  it('are not written without rotation (the one file may be appended to by the next process)', async () => {
    await write(undefined, 100);
    expect(readdirSync(dir).filter((n) => n.endsWith('.idx'))).toEqual([]);
  });

  it('refuses a rotation.index that is not a boolean', () => {
    expect(() =>
      createJsonlSink({ dir, rotation: { maxBytes: 8192, index: 'yes' as unknown as boolean } }),
    ).toThrow(/rotation\.index/);
  });
});
