import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pruneLedgerName, verifyTrail } from '@obs/store-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneTrail } from './prune-trail.js';
import { tempDir, trailNames, writeTrail } from './test/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const KEY = 'a-secret-audit-key-of-32-bytes!!';
/** The files of `writeTrail` were opened at 00:00, 00:01, 00:02 and 00:03 on 2026-01-01. */
const minute = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();

describe('pruneTrail', () => {
  it('removes whole old files only, records it, and the trail still verifies', async () => {
    const files = await writeTrail(dir, { rotation: { intervalMs: 60_000, gzip: true } });
    expect((await pruneTrail(dir, { before: minute(2), dryRun: true })).files).toHaveLength(2);
    expect(trailNames(dir)).toHaveLength(4);
    const result = await pruneTrail(dir, { before: minute(2) });
    // file 2 ends when file 3 was opened (00:02): before 00:02 means files 1 and 2
    expect(result.files.map((f) => f.split('/').at(-1))).toEqual([files[0], files[1]]);
    expect(result.bytes).toBeGreaterThan(0);
    expect(trailNames(dir).sort()).toEqual([files[2], files[3]]);
    expect(existsSync(join(dir, `${files[0]!.replace('.gz', '')}.chain`))).toBe(false);
    const v = await verifyTrail(dir);
    expect(v).toMatchObject({ ok: true, problems: [], files: 2, sealedLines: 80 });
    // the newest file is never removed, however old
    await pruneTrail(dir, { before: minute(60) });
    expect(trailNames(dir)).toEqual([files[3]]);
    expect((await verifyTrail(dir)).ok).toBe(true);
    expect(readFileSync(join(dir, pruneLedgerName('events')), 'utf8').split('\n')).toHaveLength(3);
  });

  it('a keyed trail needs the key to prune; a ledger rewritten without it fails verification', async () => {
    await writeTrail(dir, { chain: { everyLines: 16, everyMs: 3_600_000, key: KEY } });
    await expect(pruneTrail(dir, { before: minute(2) })).rejects.toThrow(/OBS_AUDIT_KEY/);
    await pruneTrail(dir, { before: minute(2), key: KEY });
    expect((await verifyTrail(dir, { key: KEY })).ok).toBe(true);
    const ledger = join(dir, pruneLedgerName('events'));
    // rewritten without the key: refused
    writeFileSync(ledger, readFileSync(ledger, 'utf8').replace(/"alg":"hmac-sha256"/, '"alg":"sha256"'));
    const v = await verifyTrail(dir, { key: KEY });
    expect(v.problems[0]).toMatchObject({ kind: 'chain', file: pruneLedgerName('events') });
  });

  it('an interrupted prune (ledger written, files not yet removed) is finished by the next one', async () => {
    const files = await writeTrail(dir);
    const saved = files
      .slice(0, 2)
      .map((f) => [f, readFileSync(join(dir, f)), readFileSync(join(dir, `${f}.chain`))] as const);
    await pruneTrail(dir, { before: minute(2) });
    for (const [f, data, chain] of saved) {
      writeFileSync(join(dir, f), data);
      writeFileSync(join(dir, `${f}.chain`), chain);
    }
    const v = await verifyTrail(dir);
    expect(v.ok).toBe(true);
    expect(v.warnings.map((w) => w.file)).toEqual(files.slice(0, 2));
    expect((await pruneTrail(dir, { before: minute(0) })).files).toHaveLength(2);
    expect(await verifyTrail(dir)).toMatchObject({ ok: true, warnings: [] });
  });
});
