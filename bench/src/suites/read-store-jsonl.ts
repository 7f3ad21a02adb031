import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJsonlReadStore } from '@obs/read-store';
import { createJsonlSink } from '@obs/sink-jsonl';
import type { BenchRow } from '../harness.js';
import { fill, measureStore } from './read-store.js';

const MiB = 2 ** 20;

async function timedOpen(
  trail: string,
): Promise<{ ms: number; rssMiB: number; store: Awaited<ReturnType<typeof openJsonlReadStore>> }> {
  const rss = process.memoryUsage.rss();
  const t = performance.now();
  const store = await openJsonlReadStore(trail);
  return { ms: performance.now() - t, rssMiB: (process.memoryUsage.rss() - rss) / MiB, store };
}

/**
 * The JSONL backend on trails of `totals` events written by the sink with 64 MiB rotation: the first
 * open (from the sidecar indexes the sink wrote), an open with the indexes removed (every line read,
 * the indexes written again by the reader), and the read paths on a third open.
 */
export async function measureJsonlTrails(quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const total of quick ? [20_000, 100_000] : [100_000, 1_000_000]) {
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-read-jsonl-'));
    try {
      await fill(createJsonlSink({ dir, rotation: { maxBytes: 64 * MiB } }), total);
      const n = `JSONL ${total.toLocaleString('en-US')} events`;
      const first = await timedOpen(dir);
      await first.store.close();
      const indexes = readdirSync(dir).filter((f) => f.endsWith('.idx'));
      for (const f of indexes) rmSync(join(dir, f));
      const cold = await timedOpen(dir);
      await cold.store.close();
      const warm = await timedOpen(dir);
      rows.push(
        {
          suite: 'read-store',
          case: `${n}: first open (the sidecar indexes the sink wrote at rotation and close)`,
          value: first.ms,
          unit: 'ms',
          target: total >= 1_000_000 ? '< 3000 ms' : undefined,
          note: `${indexes.length} indexes; RSS +${Math.round(first.rssMiB)} MiB`,
        },
        {
          suite: 'read-store',
          case: `${n}: open without sidecar indexes (reads every line, writes the indexes)`,
          value: cold.ms,
          unit: 'ms',
          note: `RSS +${Math.round(cold.rssMiB)} MiB`,
        },
        {
          suite: 'read-store',
          case: `${n}: open with the sidecar indexes the reader wrote`,
          value: warm.ms,
          unit: 'ms',
          target: total >= 1_000_000 ? '< 3000 ms' : undefined,
          note: `RSS +${Math.round(warm.rssMiB)} MiB`,
        },
      );
      rows.push(...(await measureStore(warm.store, 'JSONL', quick ? 5 : 10, {}, total)));
      await warm.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
