import { closeSync, existsSync, fsyncSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OBS_ERROR_CODES, ObsError } from '@obs/core';
import {
  chainFileName,
  chainKey,
  formatChainRecord,
  type JsonlFile,
  lastChainRecord,
  listJsonlFiles,
  type PruneRecord,
  pruneLedgerName,
  readChainFile,
} from '@obs/store-format';

/** Options of {@link pruneTrail}. */
export interface PruneTrailOptions {
  /** Whole files whose every line was written before this (ISO time or epoch ms) are removed. */
  before: string | number;
  /** The audit key the trail is sealed with (default `$OBS_AUDIT_KEY`): the prune record is sealed with it. */
  key?: string | Buffer;
  /** Only say what would be removed. */
  dryRun?: boolean;
}

/** What {@link pruneTrail} removed (or, in a dry run, would remove). */
export interface PruneTrailResult {
  files: string[];
  bytes: number;
}

const stampTime = (stamp: string) =>
  Date.parse(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`,
  );

/**
 * Retention for a JSONL trail: removes, per stem, the oldest rotated files that end before
 * `before` (a file ends when the next one was opened), never the newest file and never part of a
 * file. Before anything is removed, a prune record naming the files and the last seal they ended
 * with is appended to `<stem>.prune.chain` (sealed with the audit key), so `verifyTrail` still
 * links the first remaining file. A rerun after a crash finishes the removal.
 */
export async function pruneTrail(dir: string, options: PruneTrailOptions): Promise<PruneTrailResult> {
  const before = typeof options.before === 'number' ? options.before : Date.parse(options.before);
  if (!Number.isFinite(before)) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `before must be an ISO time or epoch ms, got "${String(options.before)}"`,
    );
  }
  const key = chainKey(options.key ?? process.env['OBS_AUDIT_KEY']);
  const byStem = new Map<string, JsonlFile[]>();
  for (const file of await listJsonlFiles(dir))
    byStem.set(file.stem, [...(byStem.get(file.stem) ?? []), file]);
  const result: PruneTrailResult = { files: [], bytes: 0 };
  for (const [stem, files] of byStem) {
    const ledgerPath = join(dir, pruneLedgerName(stem));
    const ledger = readChainFile(ledgerPath, key);
    const bad = ledger?.records.find((r) => !r.ok);
    if (bad && !bad.ok)
      throw new ObsError(
        OBS_ERROR_CODES.SINK,
        `cannot prune "${stem}": its prune ledger is unreadable: ${bad.detail}`,
      );
    const records = (ledger?.records ?? []).map(
      (r) => (r.ok ? (r.record as PruneRecord & { mac: string }) : undefined)!,
    );
    const already = new Set(records.flatMap((r) => r.files));
    const leftovers = files.filter((f) => already.has(f.key));
    const remaining = files.filter((f) => !already.has(f.key));
    const removable: JsonlFile[] = [];
    for (let i = 0; i + 1 < remaining.length; i++) {
      const next = remaining[i + 1]!;
      const file = remaining[i]!;
      if (
        next.stamp === null ||
        stampTime(next.stamp) > before ||
        existsSync(`${join(dir, file.key)}.gz.tmp`)
      )
        break;
      removable.push(file);
    }
    if (options.dryRun) {
      for (const f of removable) addFile(result, f);
      continue;
    }
    if (removable.length > 0) {
      const last = removable.at(-1)!;
      const seal = lastChainRecord(join(dir, chainFileName(last.key)), key);
      if (seal === undefined || seal.type !== 'close') {
        throw new ObsError(
          OBS_ERROR_CODES.SINK,
          `cannot prune "${last.key}": its chain does not end in a valid closing seal (wrong or missing OBS_AUDIT_KEY?); run obs verify`,
        );
      }
      const record: PruneRecord = {
        type: 'prune',
        stem,
        n: records.length,
        at: new Date().toISOString(),
        before: new Date(before).toISOString(),
        files: removable.map((f) => f.key),
        last_file: last.key,
        last_mac: seal.mac,
        prev: records.at(-1)?.mac ?? null,
      };
      appendDurably(ledgerPath, `${formatChainRecord(record, key).line}\n`);
    }
    for (const file of [...leftovers, ...removable]) {
      addFile(result, file);
      rmSync(file.path, { force: true });
      rmSync(join(dir, file.key), { force: true });
      rmSync(join(dir, chainFileName(file.key)), { force: true });
      // the JSONL read store's sidecar index of the file
      rmSync(`${file.path}.idx`, { force: true });
    }
  }
  return result;
}

function addFile(result: PruneTrailResult, file: JsonlFile): void {
  result.files.push(file.path);
  try {
    result.bytes += statSync(file.path).size;
  } catch {
    // removed by an earlier, interrupted prune
  }
}

function appendDurably(path: string, text: string): void {
  const fd = openSync(path, 'a', 0o640);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
