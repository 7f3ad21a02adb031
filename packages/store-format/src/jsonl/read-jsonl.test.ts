import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ObsValidationError, serializeEnvelope } from '@obs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trailFileName } from './file-names.js';
import { type JsonlReader, readJsonl, readJsonlEntries } from './read-jsonl.js';
import { envelope, lines } from './test-envelopes.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'obs-read-jsonl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function collect<T extends { seq: number }>(reader: JsonlReader<T>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const e of reader) seqs.push(e.seq);
  return seqs;
}

const stamped = (minute: number, counter = 0) =>
  trailFileName('events', Date.UTC(2026, 0, 1, 0, minute), counter);

describe('readJsonl', () => {
  it('reads 1 valid + 1 corrupt + 1 valid as 2 read, 1 reported', async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${lines(1)}{"schema_version":1,"event_id":\n${lines(2)}`);
    const reader = readJsonl(file);
    expect(await collect(reader)).toEqual([1, 2]);
    expect(reader.report).toMatchObject({ files: 1, lines: 3, read: 2, corrupt: 1 });
    expect(reader.report.issues).toEqual([
      expect.objectContaining({ file, line: 2, reason: 'json', offset: lines(1).length }),
    ]);
  });

  it('skips a torn last line, an invalid envelope and binary garbage, and reports each', async () => {
    const file = join(dir, 'events.jsonl');
    const invalid = serializeEnvelope({ ...envelope(9), event_id: 'not-a-uuid' });
    const reported: string[] = [];
    writeFileSync(file, `${lines(1)}${invalid}\n\u0000\u00ff\ufffd\n\n${lines(2)}{"seq":3,"ev`);
    const reader = readJsonl(file, { onCorrupt: (c) => reported.push(`${c.line}:${c.reason}`) });
    expect(await collect(reader)).toEqual([1, 2]);
    expect(reported).toEqual(['2:envelope', '3:json', '6:torn']);
    expect(reader.report.issues[0]!.detail).toContain('event_id');
    expect(reader.report.corrupt).toBe(3);
  });

  it('skips an overlong line in constant memory and reads on', async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${lines(1)}${'x'.repeat(3_000_000)}\n${lines(2)}`);
    const reader = readJsonl(file, { maxLineBytes: 1_000_000 });
    expect(await collect(reader)).toEqual([1, 2]);
    expect(reader.report.issues).toEqual([expect.objectContaining({ line: 2, reason: 'too_long' })]);
  });

  it('reads rotated, gzipped and active files of each stem in time order, never twice', async () => {
    writeFileSync(join(dir, `${stamped(1)}.gz`), gzipSync(lines(1, 2)));
    writeFileSync(join(dir, stamped(2)), lines(3));
    writeFileSync(join(dir, stamped(2, 1)), lines(4));
    // an interrupted compression left both copies: the complete .gz wins
    writeFileSync(join(dir, stamped(3)), lines(5, 6));
    writeFileSync(join(dir, `${stamped(3)}.gz`), gzipSync(lines(5, 6)));
    writeFileSync(join(dir, `${stamped(3)}.gz.tmp`), 'partial');
    writeFileSync(join(dir, stamped(10)), lines(7));
    writeFileSync(join(dir, 'tool.call.jsonl'), lines(100));
    writeFileSync(join(dir, 'notes.txt'), 'not a trail');
    expect(await collect(readJsonl(dir))).toEqual([1, 2, 3, 4, 5, 6, 7, 100]);
    expect(await collect(readJsonl(dir, { stems: ['tool.call'] }))).toEqual([100]);
  });

  it('applies the filter and counts what it left out', async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, lines(1, 2, 3, 4));
    const reader = readJsonl(file, { filter: (e) => e.seq % 2 === 0 });
    expect(await collect(reader)).toEqual([2, 4]);
    expect(reader.report).toMatchObject({ read: 2, filtered: 2 });
  });

  it('resumes from a cursor, also after the file was rotated and compressed', async () => {
    const active = join(dir, stamped(1));
    writeFileSync(active, lines(1, 2));
    const first = readJsonl(dir);
    expect(await collect(first)).toEqual([1, 2]);
    appendFileSync(active, lines(3));
    const second = readJsonl(dir, { from: first.cursor });
    expect(await collect(second)).toEqual([3]);
    // rotation: the file is gzipped and a new one started
    writeFileSync(`${active}.gz`, gzipSync(lines(1, 2, 3, 4)));
    rmSync(active);
    writeFileSync(join(dir, stamped(2)), lines(5));
    expect(await collect(readJsonl(dir, { from: second.cursor }))).toEqual([4, 5]);
  });

  it('in tail mode leaves a half-written last line for the next read', async () => {
    const file = join(dir, 'events.jsonl');
    const whole = lines(2);
    writeFileSync(file, lines(1) + whole.slice(0, 40));
    const first = readJsonl(dir, { tail: true });
    expect(await collect(first)).toEqual([1]);
    expect(first.report.corrupt).toBe(0);
    appendFileSync(file, whole.slice(40));
    expect(await collect(readJsonl(dir, { tail: true, from: first.cursor }))).toEqual([2]);
  });

  it('reports a truncated gzip file and goes on with the next file', async () => {
    const gz = gzipSync(lines(1, 2, 3));
    writeFileSync(join(dir, `${stamped(1)}.gz`), gz.subarray(0, gz.length - 12));
    writeFileSync(join(dir, stamped(2)), lines(4));
    const reader = readJsonl(dir);
    const seqs = await collect(reader);
    expect(seqs.at(-1)).toBe(4);
    expect(reader.report.issues.some((i) => i.reason === 'io' && i.detail.includes('gzip'))).toBe(true);
  });

  it('yields entries with the exact line text', async () => {
    const file = join(dir, 'events.jsonl');
    const content = lines(1, 2);
    writeFileSync(file, content);
    const texts: string[] = [];
    for await (const entry of readJsonlEntries(file)) texts.push(`${entry.json}\n`);
    expect(texts.join('')).toBe(content);
  });

  it('throws a clear error for a missing path and refuses a second iteration', async () => {
    const reader = readJsonl(join(dir, 'nope'));
    await expect(collect(reader)).rejects.toThrow(ObsValidationError);
    await expect(collect(reader)).rejects.toThrow(/iterated once/);
  });
});
