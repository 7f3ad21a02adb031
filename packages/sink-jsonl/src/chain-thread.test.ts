import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRecord } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import { verifyTrail } from '@obs/store-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import type { JsonlSinkOptions } from './options.js';
import { records, tempDir } from './test/helpers.js';

// The thread runs the built worker, so the threaded sinks come from dist/ (built before tests);
// the in-thread ones from here.
const built = (await import(
  new URL('../dist/index.js', import.meta.url).href
)) as typeof import('./index.js');
const { ChainThread } = (await import(
  new URL('../dist/chain-thread.js', import.meta.url).href
)) as typeof import('./chain-thread.js');

let dirs: { dir: string; cleanup: () => void }[];
beforeEach(() => {
  dirs = [tempDir(), tempDir()];
});
afterEach(() => {
  for (const d of dirs) d.cleanup();
});

/** Every sidecar of `dir` (`.chain`, `.idx`), by name, with its bytes. */
const sidecars = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.chain'))
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );

/** The same batches, the same clock, into a sink with the chain thread and one without. */
async function writeBoth(batches: EventRecord[][], options: Partial<JsonlSinkOptions>) {
  for (const [i, thread] of [true, false].entries()) {
    let now = Date.UTC(2026, 0, 1);
    const sink = (thread ? built.createJsonlSink : createJsonlSink)({
      dir: dirs[i]!.dir,
      rotation: { intervalMs: 60_000 },
      clock: () => now,
      ...options,
      chain: { everyLines: 50, everyMs: 3_600_000, thread },
    });
    for (const [b, batch] of batches.entries()) {
      sink.write(batch);
      if (b % 3 === 2) await sink.flush();
      now += 20_000;
    }
    await sink.close();
  }
  return dirs.map((d) => d.dir) as [string, string];
}

const big = (seq: number, bytes: number) =>
  makeRecord(seq, { payload: { level: 'info', message: 'x'.repeat(bytes) } });

describe('the chain thread', () => {
  it('runs from the built package, and not from the sources (no built worker beside them)', async () => {
    expect(ChainThread.shared()?.running).toBe(true);
    const local = await import('./chain-thread.js');
    expect(local.ChainThread.shared()).toBeUndefined();
  });

  it('writes the same chain records, byte for byte, as chains run in-thread (seals, rotation, close)', async () => {
    const batches = Array.from({ length: 12 }, (_, b) => records(b * 40, 40));
    const [threaded, inThread] = await writeBoth(batches, {});
    const chains = sidecars(threaded);
    expect(Object.keys(chains)).toHaveLength(4);
    expect(chains).toEqual(sidecars(inThread));
    expect(await verifyTrail(threaded)).toMatchObject({ ok: true, problems: [], sealedLines: 480 });
  });

  it('hashes more than its ring holds, and chunks larger than a ring slot, without losing a byte', async () => {
    // 28 batches of ~384 KiB wrap the 2 MiB ring; batches of 2 MiB and 6 MiB cross as copies of their own
    const batches = Array.from({ length: 28 }, (_, b) =>
      Array.from({ length: 3 }, (_, i) => big(b * 3 + i, 128 * 1024)),
    );
    batches.splice(14, 0, [big(10_000, 2 * 1024 * 1024)], [big(10_001, 6 * 1024 * 1024)]);
    const [threaded, inThread] = await writeBoth(batches, {});
    expect(sidecars(threaded)).toEqual(sidecars(inThread));
    expect(await verifyTrail(threaded)).toMatchObject({ ok: true, problems: [], sealedLines: 28 * 3 + 2 });
  });

  it('after flush() every line written so far is sealed', async () => {
    const { dir } = dirs[0]!;
    const sink = built.createJsonlSink({ dir, chain: { everyLines: 1_000_000, everyMs: 3_600_000 } });
    sink.write(records(0, 25));
    await sink.flush();
    const chain = readFileSync(join(dir, 'events.jsonl.chain'), 'utf8').trim().split('\n');
    expect(JSON.parse(chain.at(-1)!)).toMatchObject({ type: 'seal', lines: 25 });
    await sink.close();
  });
});
