import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecord } from '@obs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { trailFileName } from './file-names.js';
import { lines } from './test-envelopes.js';
import { importTrailInto, readTrailImportPosition, writeTrailImportPosition } from './trail-import.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-trail-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store that remembers ids: an id written again counts as a duplicate. */
function memorySink(failOn?: number) {
  const ids = new Set<string>();
  let writes = 0;
  return {
    ids,
    async write(batch: EventRecord[]) {
      if (++writes === failOn) throw new Error('store down');
      // later batches finish first: positions must still come in order
      await new Promise((resolve) => setTimeout(resolve, 20 - (writes % 4) * 5));
      let inserted = 0;
      for (const r of batch) {
        if (ids.has(r.envelope.event_id)) continue;
        ids.add(r.envelope.event_id);
        inserted++;
      }
      return inserted;
    },
  };
}

describe('importTrailInto', () => {
  const trail = join(dir, 'trail');
  mkdirSync(trail);
  const seqs = Array.from({ length: 25 }, (_, i) => i + 1);
  writeFileSync(
    join(trail, trailFileName('events', Date.UTC(2026, 0, 1), 0)),
    `${lines(...seqs.slice(0, 10))}{torn\n`,
  );
  writeFileSync(join(trail, trailFileName('events', Date.UTC(2026, 0, 2), 0)), lines(...seqs.slice(10)));

  it('feeds every valid event in batches, counts corrupt lines and duplicates, and resumes from a position', async () => {
    const sink = memorySink();
    const positions: unknown[] = [];
    const first = await importTrailInto(trail, sink, {
      batchSize: 4,
      onCommitted: (_, cursor) => positions.push(cursor),
    });
    expect(first).toMatchObject({ read: 25, inserted: 25, duplicates: 0, corrupt: 1 });
    expect(first.bytes).toBe(first.totalBytes);
    expect(positions).toHaveLength(7);
    const concurrent: { read: number; offsets: number[] }[] = [];
    const spread = await importTrailInto(trail, memorySink(), {
      batchSize: 3,
      concurrency: 4,
      onCommitted: (p, cursor) =>
        concurrent.push({ read: p.inserted, offsets: Object.values(cursor).map((c) => c.offset) }),
    });
    expect(spread).toMatchObject({ read: 25, inserted: 25, duplicates: 0 });
    expect(concurrent.map((c) => c.read)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 25]);
    const again = await importTrailInto(trail, sink, { batchSize: 100 });
    expect(again).toMatchObject({ read: 25, inserted: 0, duplicates: 25 });
    const rest = await importTrailInto(trail, memorySink(), { batchSize: 4, from: positions[2] as never });
    expect(rest.read).toBe(13);
  });

  it('rejects when the store fails, and a position file round-trips or is ignored when it does not match', async () => {
    await expect(importTrailInto(trail, memorySink(2), { batchSize: 4 })).rejects.toThrow('store down');
    const path = join(dir, 'position.json');
    writeTrailImportPosition(path, { trail: 'a', cursor: { events: { file: 'f', offset: 3 } } });
    expect(readTrailImportPosition<{ trail: string; cursor: never }>(path, (p) => p.trail === 'a')).toEqual({
      events: { file: 'f', offset: 3 },
    });
    expect(
      readTrailImportPosition<{ trail: string; cursor: never }>(path, (p) => p.trail === 'b'),
    ).toBeUndefined();
    writeFileSync(path, '{not json');
    expect(readTrailImportPosition(path, () => true)).toBeUndefined();
  });
});
