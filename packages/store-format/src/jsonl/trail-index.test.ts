import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  allocColumn,
  decodeTrailIndex,
  encodeTrailIndex,
  readTrailIndex,
  TRAIL_INDEX_COLUMNS,
  type TrailIndexColumnName,
  type TrailIndexColumns,
  type TrailIndexData,
  writeTrailIndex,
} from './trail-index.js';
import { fileIdentity } from './trail-index-identity.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-trail-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sample(path: string, rows: number): Promise<TrailIndexData> {
  const columns = {} as Record<string, unknown>;
  for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
    const column = allocColumn(kind, rows);
    column.forEach((_, i) => {
      column[i] = i % 7;
    });
    columns[name as TrailIndexColumnName] = column;
  }
  return {
    identity: await fileIdentity(path, 10, { compressed: false, sealed: true }),
    lines: rows,
    corrupt: { json: 1 },
    issues: [{ file: 'events.jsonl', line: 2, offset: 5, reason: 'json', detail: 'bad' }],
    rows,
    strings: ['a', 'b'],
    columns: columns as TrailIndexColumns,
  };
}

it('round-trips through its binary form, and refuses any damage', async () => {
  const file = join(dir, 'a.jsonl');
  writeFileSync(file, '0123456789');
  const data = await sample(file, 33);
  const bytes = encodeTrailIndex(data);
  expect(decodeTrailIndex(bytes)).toEqual(data);
  expect(decodeTrailIndex(Buffer.alloc(0))).toBeUndefined();
  expect(decodeTrailIndex(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
  for (const at of [0, 9, 13, 40, bytes.length - 40, bytes.length - 1]) {
    const damaged = Buffer.from(bytes);
    damaged[at]! ^= 1;
    expect(decodeTrailIndex(damaged), `byte ${at}`).toBeUndefined();
  }
  expect(decodeTrailIndex(Buffer.from('OBSTIDX1'.padEnd(100_000, '\u00ff'), 'latin1'))).toBeUndefined();
});

it('is read back only while its file is unchanged', async () => {
  const file = join(dir, 'b.jsonl');
  writeFileSync(file, '0123456789');
  expect(await readTrailIndex(file)).toBeUndefined();
  expect(await writeTrailIndex(file, await sample(file, 3))).toBe(true);
  expect((await readTrailIndex(file))?.rows).toBe(3);
  writeFileSync(file, '0123456789'); // same bytes, new mtime: a sealed file must not have been touched
  expect(await readTrailIndex(file)).toBeUndefined();
  expect(await writeTrailIndex(join(dir, 'missing', 'c.jsonl'), await sample(file, 1))).toBe(false);
});
