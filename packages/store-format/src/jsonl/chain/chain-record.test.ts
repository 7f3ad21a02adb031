import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainKey, formatChainRecord, type OpenRecord, parseChainRecord } from './chain-record.js';
import { SegmentDigest } from './segment-digest.js';
import { verifyTrail } from './verify-trail.js';

const open: OpenRecord = {
  type: 'open',
  file: 'events.jsonl',
  n: 0,
  at: '2026-01-01T00:00:00.000Z',
  lines: 0,
  bytes: 0,
  prev_file: null,
  prev: null,
};
const KEY = chainKey('sixteen-bytes-at-least');

describe('chain records', () => {
  it('round-trip keyed and unkeyed, and any changed byte breaks the MAC', () => {
    for (const key of [chainKey(), KEY]) {
      const { line } = formatChainRecord(open, key);
      expect(parseChainRecord(line, key)).toMatchObject({ ok: true, record: { ...open, alg: key.alg } });
      expect(parseChainRecord(line.replace('"n":0', '"n":1'), key)).toMatchObject({
        ok: false,
        problem: 'mac',
      });
    }
  });

  it('refuses hostile lines without throwing', () => {
    const hostile = [
      '',
      '{',
      'null',
      '[]',
      '{"v":1}',
      `{"v":2,"type":"open","mac":"${'0'.repeat(64)}"}`,
      'x'.repeat(1 << 20),
      '\u0000\uffff',
    ];
    for (const line of hostile) expect(parseChainRecord(line, KEY).ok).toBe(false);
    const { line } = formatChainRecord(open, chainKey());
    expect(parseChainRecord(line, KEY)).toMatchObject({ ok: false, problem: 'unkeyed' });
    expect(parseChainRecord(formatChainRecord(open, KEY).line, chainKey())).toMatchObject({
      ok: false,
      problem: 'needs_key',
    });
    expect(
      parseChainRecord(formatChainRecord(open, chainKey('another-key-long-enough')).line, KEY),
    ).toMatchObject({ problem: 'key' });
    expect(() => chainKey('short')).toThrow(/at least 16 bytes/);
  });

  it('a segment digest counts lines and gives one CRC per line', () => {
    const digest = new SegmentDigest();
    digest.update(Buffer.from('a\nbb\n'));
    digest.update(Buffer.from('ccc\n'));
    const s = digest.take();
    expect(s).toMatchObject({ lines: 3, bytes: 9 });
    expect(s.crc).toHaveLength(24);
    expect(digest.take()).toMatchObject({ lines: 0, bytes: 0 });
  });
});

describe('verifyTrail on hand-made trails', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-chain-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a file without a chain, a garbage chain and a chain without its file', async () => {
    writeFileSync(join(dir, 'a.jsonl'), '{"x":1}\n');
    writeFileSync(join(dir, 'b.jsonl'), '{"x":1}\n');
    writeFileSync(join(dir, 'b.jsonl.chain'), 'garbage\n');
    writeFileSync(
      join(dir, 'c.jsonl.chain'),
      `${formatChainRecord({ ...open, file: 'c.jsonl' }, chainKey()).line}\n`,
    );
    const v = await verifyTrail(dir);
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => [p.kind, p.file])).toEqual([
      ['unchained', 'a.jsonl'],
      ['chain', 'b.jsonl.chain'],
      ['removed', 'c.jsonl'],
    ]);
  });

  it('an empty directory verifies; a missing one throws', async () => {
    expect(await verifyTrail(dir)).toMatchObject({ ok: true, files: 0 });
    await expect(verifyTrail(join(dir, 'nope'))).rejects.toThrow();
  });
});
