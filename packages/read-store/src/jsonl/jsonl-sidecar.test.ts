import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTrailIndex, TRAIL_INDEX_COLUMNS } from '@obs/store-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlIndex } from './jsonl-index.js';
import { openJsonlReadStore } from './jsonl-read-store.js';
import { snapshot, writeTrail } from './test-trail.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'obs-jsonl-sidecar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const trailFiles = () =>
  readdirSync(dir)
    .filter((f) => /\.jsonl(\.gz)?$/.test(f))
    .sort();
const indexFiles = () =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.idx'))
    .sort();

/** What a read without any sidecar index answers. */
async function truth(): Promise<unknown> {
  const store = await openJsonlReadStore(dir, { sidecar: false });
  try {
    return await snapshot(store);
  } finally {
    await store.close();
  }
}

async function withSidecar(): Promise<unknown> {
  const store = await openJsonlReadStore(dir);
  try {
    return await snapshot(store);
  } finally {
    await store.close();
  }
}

/** How each file's rows were loaded by a fresh index of the trail. */
async function loadedFrom(): Promise<Record<string, string>> {
  const index = new JsonlIndex(dir);
  await index.refresh();
  return Object.fromEntries(index.files.map((f) => [f.key, f.loaded]));
}

describe('the sidecar index of a rotated file', () => {
  beforeEach(async () => {
    // the reader's own indexes: the sink writes none here
    await writeTrail(dir, 600, { rotation: { maxBytes: 32 * 1024, index: false } });
    appendFileSync(join(dir, trailFiles()[1]!), 'not json\n');
  });

  it('is written next to each rotated file, used by the next open, and changes no answer', async () => {
    const expected = await truth();
    expect(indexFiles()).toEqual([]);
    expect(await withSidecar()).toEqual(expected);
    const files = trailFiles();
    expect(files.length).toBeGreaterThan(3);
    // the newest file is live: it gets an index only once it holds thousands of lines
    expect(indexFiles()).toEqual(files.slice(0, -1).map((f) => `${f}.idx`));
    expect(Object.values(await loadedFrom())).toEqual([...files.slice(0, -1).map(() => 'sidecar'), 'lines']);
    const reopened = await withSidecar();
    expect(reopened).toEqual(expected);
    expect((reopened as { skipped: { count: number } }).skipped.count).toBe(1);
  });

  const changes: [string, (file: string) => void, 'sidecar' | 'lines'][] = [
    [
      'grown (appended to)',
      (f) =>
        appendFileSync(
          f,
          `${readFileSync(f, 'utf8')
            .split('\n')[0]!
            .replace(/"seq":\d+/, '"seq":99999')}\n`,
        ),
      'lines',
    ],
    ['truncated', (f) => truncateSync(f, Math.floor(statSync(f).size / 2)), 'lines'],
    [
      'replaced (another inode)',
      (f) => {
        const text = readFileSync(f, 'utf8').split('\n');
        rmSync(f);
        writeFileSync(f, `${text.slice(2).join('\n')}`);
      },
      'lines',
    ],
    [
      'changed in place, same size',
      (f) => {
        const text = readFileSync(f, 'utf8');
        const at = text.indexOf('"line ');
        const fd = openSync(f, 'r+');
        writeSync(fd, '"LINE ', at);
        closeSync(fd);
      },
      'lines',
    ],
  ];
  it.each(changes)(
    'is detected as stale when its file was %s, and rebuilt',
    async (_, change, expectedLoad) => {
      await withSidecar();
      const victim = trailFiles()[1]!;
      const before = readFileSync(join(dir, `${victim}.idx`));
      change(join(dir, victim));
      expect((await loadedFrom())[victim]).toBe(expectedLoad);
      expect(await withSidecar()).toEqual(await truth());
      if (expectedLoad === 'lines')
        expect(readFileSync(join(dir, `${victim}.idx`)).equals(before)).toBe(false);
    },
  );

  const damages: [string, (idx: string) => void][] = [
    [
      'a flipped byte',
      (idx) => {
        const b = readFileSync(idx);
        b[Math.floor(b.length / 2)]! ^= 0xff;
        writeFileSync(idx, b);
      },
    ],
    ['truncated', (idx) => truncateSync(idx, Math.floor(statSync(idx).size / 2))],
    ['empty', (idx) => writeFileSync(idx, '')],
    ['garbage', (idx) => writeFileSync(idx, 'OBSTIDX1'.padEnd(4096, '\u0000'))],
  ];
  it.each(damages)('is ignored when damaged (%s), and rewritten', async (_, damage) => {
    await withSidecar();
    const victim = trailFiles()[0]!;
    damage(join(dir, `${victim}.idx`));
    expect((await loadedFrom())[victim]).toBe('lines');
    expect(decodeTrailIndex(readFileSync(join(dir, `${victim}.idx`)))).toBeDefined();
    expect(await withSidecar()).toEqual(await truth());
  });

  it('stays in memory when the index cannot be written', async () => {
    const victim = trailFiles()[0]!;
    mkdirSync(join(dir, `${victim}.idx`)); // a directory in the way: the rename fails
    expect(await withSidecar()).toEqual(await truth());
    expect(statSync(join(dir, `${victim}.idx`)).isDirectory()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

it('indexes a gzipped rotated file, and keeps no index of its plain name', async () => {
  await writeTrail(dir, 400, { rotation: { maxBytes: 32 * 1024, gzip: true, index: false } });
  expect(trailFiles().filter((f) => f.endsWith('.gz')).length).toBeGreaterThan(1);
  const expected = await truth();
  expect(await withSidecar()).toEqual(expected);
  expect(indexFiles().every((f) => f.endsWith('.jsonl.gz.idx'))).toBe(true);
  expect(Object.values(await loadedFrom()).filter((l) => l === 'sidecar').length).toBe(indexFiles().length);
  expect(await withSidecar()).toEqual(expected);
});

describe('the sidecar index the sink writes', () => {
  /** A decoded index with its dictionary columns as strings (two writers may number strings apart). */
  const resolved = (file: string) => {
    const data = decodeTrailIndex(readFileSync(join(dir, `${file}.idx`)))!;
    const columns = Object.fromEntries(
      Object.entries(data.columns).map(([name, column]) => [
        name,
        TRAIL_INDEX_COLUMNS[name as keyof typeof TRAIL_INDEX_COLUMNS] === 'i32'
          ? Array.from(column, (v) => (v < 0 ? null : data.strings[v]))
          : Array.from(column),
      ]),
    );
    return { rows: data.rows, lines: data.lines, corrupt: data.corrupt, columns };
  };

  it.each([
    ['plain', false],
    ['gzipped', true],
  ])(
    'of each %s rotated file, and of the last at close, is what the reader builds, and used at first open',
    async (_, gzip) => {
      await writeTrail(dir, 600, { rotation: { maxBytes: 32 * 1024, gzip } });
      const files = trailFiles();
      expect(files.length).toBeGreaterThan(3);
      // every file, the one open at close included (a rotated trail's files are never appended to again)
      expect(indexFiles()).toEqual(files.map((f) => `${f}.idx`));
      if (gzip) expect(files.slice(0, -1).every((f) => f.endsWith('.gz'))).toBe(true);
      expect(Object.values(await loadedFrom())).toEqual(files.map(() => 'sidecar'));
      const written = files.map(resolved);
      expect(await withSidecar()).toEqual(await truth());

      // the same rows as the reader's own index of the same files
      for (const f of indexFiles()) rmSync(join(dir, f));
      await withSidecar();
      expect(files.slice(0, -1).map(resolved)).toEqual(written.slice(0, -1));
      const last = written.at(-1)!;
      // the reader indexes the newest file only once it is big; read it from lines and compare
      expect(last.rows).toBe(readFileSync(join(dir, files.at(-1)!), 'utf8').split('\n').length - 1);
    },
  );

  it('is found stale and rebuilt when its file changed after it was written', async () => {
    await writeTrail(dir, 600, { rotation: { maxBytes: 32 * 1024 } });
    const victim = trailFiles()[1]!;
    appendFileSync(join(dir, victim), 'not json\n');
    expect((await loadedFrom())[victim]).toBe('lines');
    const reopened = (await withSidecar()) as { skipped: { count: number } };
    expect(reopened).toEqual(await truth());
    expect(reopened.skipped.count).toBe(1);
    expect((await loadedFrom())[victim]).toBe('sidecar');
  });

  it('is not written with rotation.index false', async () => {
    await writeTrail(dir, 300, { rotation: { maxBytes: 32 * 1024, index: false } });
    expect(trailFiles().length).toBeGreaterThan(1);
    expect(indexFiles()).toEqual([]);
  });
});

it('indexes a big live file up to where it was read, and reads only what was appended since', async () => {
  await writeTrail(dir, 4000);
  const first = new JsonlIndex(dir);
  await first.refresh();
  const lines = first.files[0]!.lines;
  expect(lines).toBeGreaterThan(5000);
  expect(indexFiles()).toEqual(['events.jsonl.idx']);
  await writeTrail(dir, 30, {}, 4000);
  const index = new JsonlIndex(dir);
  await index.refresh();
  expect(index.files[0]!.loaded).toBe('sidecar');
  expect(index.files[0]!.indexedLines).toBe(lines);
  expect(index.files[0]!.lines).toBeGreaterThan(lines + 30);
  expect(await withSidecar()).toEqual(await truth());
});
