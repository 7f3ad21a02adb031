import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventRecord, OBS_ERROR_CODES, ObsError } from '@obs/core';
import { type JsonlCursor, listJsonlFiles, readJsonlEntries } from '@obs/store-format';
import { createSqliteSink } from './sqlite-sink.js';

/** Options of {@link importTrail}. */
export interface ImportTrailOptions {
  /** The SQLite store to fill (created when missing). */
  into: string;
  /** Events per transaction (default 8192). */
  batchSize?: number;
  /** Continue after the last saved position of an earlier, interrupted import of this trail (default true). */
  resume?: boolean;
  /** Called after each committed batch. */
  onProgress?: (progress: ImportProgress) => void;
}

/** Where an import stands. */
export interface ImportProgress {
  /** Valid events read from the trail in this run. */
  read: number;
  /** Events that were new to the store. */
  inserted: number;
  /** Events the store already had (same `event_id`): skipped, their summaries not counted again. */
  duplicates: number;
  /** Lines skipped as corrupt (torn, not JSON, not an envelope). */
  corrupt: number;
  /** Bytes of trail files done, on disk, and in all. */
  bytes: number;
  totalBytes: number;
}

/** What an import did. */
export interface ImportResult extends ImportProgress {
  seconds: number;
  /** True when it continued an interrupted import. */
  resumed: boolean;
}

interface SavedCursor {
  trail: string;
  cursor: JsonlCursor;
}

/** The file next to the store where an import keeps its position: `<store>.import.json`. */
export function importCursorPath(into: string): string {
  return `${into}.import.json`;
}

/**
 * Rebuilds (or tops up) a SQLite store from a JSONL trail through the SQLite sink's own writer, so
 * run and session summaries (and every other rule of the writer) come out as if the events had been
 * written live. Idempotent by `event_id`; after a kill, running it again continues from the last
 * saved position, and anything written after that position is skipped as a duplicate.
 */
export async function importTrail(trail: string, options: ImportTrailOptions): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 8192;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `batchSize must be a whole number from 1 to 100000, got ${batchSize}`,
    );
  }
  const started = performance.now();
  const files = await listJsonlFiles(trail);
  const sizes = new Map(files.map((f) => [f.path, statSync(f.path).size]));
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  const cursorPath = importCursorPath(options.into);
  const saved = options.resume === false ? undefined : loadCursor(cursorPath, trail);
  // a rebuild can be rerun, so it does not wait for the device at each commit (a process crash is still safe in WAL)
  const sink = createSqliteSink({ path: options.into, worker: true, name: 'import', synchronous: 'OFF' });
  const progress: ImportProgress = { read: 0, inserted: 0, duplicates: 0, corrupt: 0, bytes: 0, totalBytes };
  const reader = readJsonlEntries(trail, {
    ...(saved ? { from: saved } : {}),
    onCorrupt: () => void progress.corrupt++,
  });
  let doneFiles = 0;
  let current = '';
  let batch: EventRecord[] = [];
  let inFlight: Promise<void> | undefined;
  let lastSave = 0;
  const commit = async (records: EventRecord[], cursor: JsonlCursor, bytes: number) => {
    const before = sink.duplicates;
    await sink.write(records);
    const duplicates = sink.duplicates - before;
    progress.duplicates += duplicates;
    progress.inserted += records.length - duplicates;
    progress.bytes = bytes;
    if (performance.now() - lastSave > 250) {
      saveCursor(cursorPath, trail, cursor);
      lastSave = performance.now();
    }
    options.onProgress?.({ ...progress });
  };
  try {
    for await (const entry of reader) {
      if (entry.file !== current) {
        if (current !== '') doneFiles += sizes.get(current) ?? 0;
        current = entry.file;
      }
      progress.read++;
      batch.push(new EventRecord(entry.envelope, entry.json));
      if (batch.length < batchSize) continue;
      const bytes = doneFiles + (entry.file.endsWith('.gz') ? 0 : entry.offset);
      // one batch commits on the writer thread while the next is read and parsed here
      await inFlight;
      inFlight = commit(batch, { ...reader.cursor }, bytes);
      batch = [];
    }
    await inFlight;
    if (batch.length > 0) await commit(batch, { ...reader.cursor }, totalBytes);
    progress.bytes = totalBytes;
  } finally {
    await inFlight?.catch(() => {});
    await sink.close();
  }
  rmSync(cursorPath, { force: true });
  return { ...progress, seconds: (performance.now() - started) / 1000, resumed: saved !== undefined };
}

function loadCursor(path: string, trail: string): JsonlCursor | undefined {
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedCursor;
    return saved.trail === resolve(trail) ? saved.cursor : undefined;
  } catch {
    return undefined;
  }
}

function saveCursor(path: string, trail: string, cursor: JsonlCursor): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify({ trail: resolve(trail), cursor } satisfies SavedCursor));
  renameSync(tmp, path);
}
