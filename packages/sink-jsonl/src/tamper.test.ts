import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  chainKey,
  formatChainRecord,
  problemPlace,
  type TrailVerification,
  verifyTrail,
} from '@obs/store-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import { records, tempDir, trailNames, writeTrail } from './test/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const KEY = 'a-secret-audit-key-of-32-bytes!!';
const lines = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').slice(0, -1);
const writeLines = (file: string, content: string[]) =>
  writeFileSync(join(dir, file), `${content.join('\n')}\n`);
const first = (v: TrailVerification) => ({
  kind: v.problems[0]?.kind,
  at: v.problems[0] && problemPlace(v.problems[0]),
});

describe('verifyTrail on a trail written by the sink', () => {
  it('passes an untouched trail, rotated, gzipped and keyed alike', async () => {
    const files = await writeTrail(dir);
    expect(files).toHaveLength(4);
    const clean = await verifyTrail(dir);
    expect(clean).toMatchObject({
      ok: true,
      problems: [],
      warnings: [],
      files: 4,
      sealedLines: 160,
      alg: 'sha256',
    });
    cleanup();
    ({ dir, cleanup } = tempDir());
    await writeTrail(dir, {
      rotation: { intervalMs: 60_000, gzip: true },
      chain: { everyLines: 16, everyMs: 3_600_000, key: KEY },
    });
    expect(trailNames(dir).filter((n) => n.endsWith('.gz'))).toHaveLength(3);
    expect(await verifyTrail(dir, { key: KEY })).toMatchObject({
      ok: true,
      sealedLines: 160,
      alg: 'hmac-sha256',
    });
  });

  it('names a modified line (same length) by file:line', async () => {
    const files = await writeTrail(dir);
    const content = lines(files[1]!);
    content[20] = content[20]!.replace('"seq":120', '"seq":121');
    writeLines(files[1]!, content);
    const v = await verifyTrail(dir);
    expect(v.ok).toBe(false);
    expect(first(v)).toEqual({ kind: 'modified', at: `${files[1]}:21` });
  });

  it('names a deleted, an inserted and a reordered line', async () => {
    const files = await writeTrail(dir);
    const original = lines(files[2]!);
    writeLines(
      files[2]!,
      original.filter((_, i) => i !== 33),
    );
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'deleted', at: `${files[2]}:34` });
    writeLines(files[2]!, [...original.slice(0, 5), original[0]!, ...original.slice(5)]);
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'inserted', at: `${files[2]}:6` });
    writeLines(files[2]!, [original[0]!, original[2]!, original[1]!, ...original.slice(3)]);
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'reordered', at: `${files[2]}:2` });
  });

  it('finds a truncated file, a line appended after close and a modified gzipped file', async () => {
    const files = await writeTrail(dir, { rotation: { intervalMs: 60_000, gzip: true } });
    const gz = files[0]!;
    expect(gz.endsWith('.gz')).toBe(true);
    const text = gunzipSync(readFileSync(join(dir, gz))).toString('utf8');
    writeFileSync(join(dir, gz), gzipSync(text.replace('"seq":7,', '"seq":8,')));
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'modified', at: `${gz.replace('.gz', '')}:8` });
    writeFileSync(join(dir, gz), gzipSync(text));
    expect((await verifyTrail(dir)).ok).toBe(true);

    const plainFiles = await (async () => {
      cleanup();
      ({ dir, cleanup } = tempDir());
      return writeTrail(dir);
    })();
    const content = lines(plainFiles[1]!);
    writeLines(plainFiles[1]!, content.slice(0, 25));
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'truncated', at: `${plainFiles[1]}:26` });
    writeLines(plainFiles[1]!, [...content, content[0]!]);
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'appended', at: `${plainFiles[1]}:41` });
  });

  it('finds a removed file (the middle one, the newest one, or its data only)', async () => {
    const files = await writeTrail(dir);
    const keep = (f: string) => [readFileSync(join(dir, f)), readFileSync(join(dir, `${f}.chain`))] as const;
    const [data, chain] = keep(files[1]!);
    rmSync(join(dir, files[1]!));
    rmSync(join(dir, `${files[1]}.chain`));
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'removed', at: files[1] });
    writeFileSync(join(dir, files[1]!), data);
    writeFileSync(join(dir, `${files[1]}.chain`), chain);
    rmSync(join(dir, files[3]!));
    rmSync(join(dir, `${files[3]}.chain`));
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'removed', at: files[3] });
    cleanup();
    ({ dir, cleanup } = tempDir());
    const again = await writeTrail(dir);
    rmSync(join(dir, again[0]!));
    expect(first(await verifyTrail(dir))).toEqual({ kind: 'removed', at: again[0] });
  });

  it('finds a replaced file: without a key by the broken link, with a key by the MAC', async () => {
    const files = await writeTrail(dir);
    const forged = join(dir, 'forged');
    // a second, self-consistent trail written with the same names stands in for file 2
    const real = dir;
    dir = forged;
    await writeTrail(dir);
    dir = real;
    for (const suffix of ['', '.chain']) {
      writeFileSync(join(dir, `${files[1]}${suffix}`), readFileSync(join(forged, `${files[1]}${suffix}`)));
    }
    rmSync(forged, { recursive: true });
    const v = await verifyTrail(dir);
    expect(v.ok).toBe(false);
    expect(v.problems[0]!.kind).toBe('replaced');
  });

  it('with a key: a full rewrite without it is refused; a wrong key is told apart', async () => {
    await writeTrail(dir, { chain: { everyLines: 16, everyMs: 3_600_000, key: KEY } });
    const keyed = await verifyTrail(dir, { key: KEY });
    expect(keyed.ok).toBe(true);
    const wrong = await verifyTrail(dir, { key: 'another-key-that-is-long-enough' });
    expect(wrong.problems[0]).toMatchObject({
      kind: 'chain',
      detail: expect.stringContaining('another key'),
    });
    const none = await verifyTrail(dir);
    expect(none.problems[0]!.detail).toContain('OBS_AUDIT_KEY');
    // the attacker rewrites every file and every chain, edited, but has no key: an unkeyed chain
    const names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
    for (const name of names) rmSync(join(dir, `${name}.chain`));
    const edited = join(dir, names[0]!);
    writeFileSync(edited, readFileSync(edited, 'utf8').replace('"seq":3,', '"seq":4,'));
    for (const name of names) rmSync(join(dir, name));
    await writeTrail(dir);
    expect((await verifyTrail(dir)).ok).toBe(true); // the documented limit without a key
    const rewritten = await verifyTrail(dir, { key: KEY });
    expect(rewritten.ok).toBe(false);
    expect(rewritten.problems[0]!.detail).toContain('not keyed');
  });

  it('keeps the chain across a restart of the writer on the same unrotated file', async () => {
    for (let round = 0; round < 3; round++) {
      const sink = createJsonlSink({ dir, chain: { everyLines: 7, everyMs: 3_600_000 } });
      await sink.write(records(round * 100, 20));
      await sink.close();
    }
    const v = await verifyTrail(dir);
    expect(v).toMatchObject({ ok: true, sealedLines: 60, warnings: [] });
    const chain = readFileSync(join(dir, 'events.jsonl.chain'), 'utf8');
    expect(chain.match(/"type":"(close|reopen)"/g)).toEqual([
      '"type":"close"',
      '"type":"reopen"',
      '"type":"close"',
      '"type":"reopen"',
      '"type":"close"',
    ]);
  });

  it('names a line appended after a clean shutdown as an error, and a restarted writer does not seal it', async () => {
    const options = { dir, chain: { everyLines: 7, everyMs: 3_600_000, key: KEY } };
    const sink = createJsonlSink(options);
    await sink.write(records(0, 20));
    await sink.close();
    const forged = lines('events.jsonl')[19]!.replace('"seq":20,', '"seq":21,');
    writeLines('events.jsonl', [...lines('events.jsonl'), forged]);
    const appended = await verifyTrail(dir, { key: KEY });
    expect(appended.ok).toBe(false);
    expect(first(appended)).toEqual({ kind: 'appended', at: 'events.jsonl:21' });

    const restarted = createJsonlSink(options);
    await restarted.write(records(100, 10));
    await restarted.close();
    const after = await verifyTrail(dir, { key: KEY });
    expect(after.problems).toHaveLength(1);
    expect(first(after)).toEqual({ kind: 'appended', at: 'events.jsonl:21' });
    expect(after.problems[0]!.detail).toContain('before a writer reopened it');
    expect(after).toMatchObject({ sealedLines: 30, warnings: [] });

    // the same lines without the forged one: the restart alone is clean
    cleanup();
    ({ dir, cleanup } = tempDir());
    for (const from of [0, 100]) {
      const s = createJsonlSink({ ...options, dir });
      await s.write(records(from, from === 0 ? 20 : 10));
      await s.close();
    }
    expect(await verifyTrail(dir, { key: KEY })).toMatchObject({ ok: true, sealedLines: 30, warnings: [] });
  });

  it('refuses a reopen forged after a rotation close, or after any record but a close', async () => {
    const sink = createJsonlSink({ dir, chain: { everyLines: 7, everyMs: 3_600_000 } });
    await sink.write(records(0, 20));
    await sink.close();
    const chainFile = join(dir, 'events.jsonl.chain');
    const chainLines = readFileSync(chainFile, 'utf8').split('\n').slice(0, -1);
    // drop the close: a reopen then follows a seal
    const seal = JSON.parse(chainLines.at(-2)!);
    const reopen = formatChainRecord(
      {
        type: 'reopen',
        file: 'events.jsonl',
        n: seal.n + 1,
        at: seal.at,
        lines: 20,
        bytes: seal.bytes,
        prev: seal.mac,
      },
      chainKey(),
    ).line;
    writeFileSync(chainFile, `${[...chainLines.slice(0, -1), reopen].join('\n')}\n`);
    const v = await verifyTrail(dir);
    expect(first(v)).toEqual({ kind: 'chain', at: `events.jsonl.chain:${chainLines.length}` });
  });
});
