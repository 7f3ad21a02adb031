import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { EventRecord } from '@obs/core';
import { listJsonlFiles } from './list-files.js';
import { type JsonlCursor, readJsonlEntries } from './read-jsonl.js';

/** What a store writer offers a trail import: `write` commits a batch and returns how many events were new. */
export interface TrailImportSink {
  write(batch: EventRecord[]): number | Promise<number>;
}

/** Where a trail import stands. */
export interface TrailImportProgress {
  /** Valid events read from the trail in this run. */
  read: number;
  /** Events that were new to the store. */
  inserted: number;
  /** Events the store already had (same `event_id`). */
  duplicates: number;
  /** Lines skipped as corrupt (torn, not JSON, not an envelope). */
  corrupt: number;
  /** Bytes of trail files done, and in all. */
  bytes: number;
  totalBytes: number;
}

/** What a writer's trail import did: its progress at the end, how long it took, and whether it continued an interrupted one. */
export interface TrailImportResult extends TrailImportProgress {
  seconds: number;
  /** True when it continued an interrupted import. */
  resumed: boolean;
}

/** Options of {@link importTrailInto}. */
export interface ImportTrailIntoOptions {
  /** Events per `write`. */
  batchSize: number;
  /** Batches written at once (default 1: one commits while the next is read); positions are reported in order. */
  concurrency?: number;
  /** Continue after this position of an earlier read. */
  from?: JsonlCursor;
  /** Called after each committed batch with the position after it. */
  onCommitted?: (progress: TrailImportProgress, cursor: JsonlCursor) => void;
}

/**
 * Feeds every valid event of a JSONL trail to a store writer in batches, batches committing while
 * the next is read and parsed, counting new and duplicate events: the loop of the writers'
 * `importTrail` functions (each brings its own sink and keeps the position where it suits it).
 */
export async function importTrailInto(
  trail: string,
  sink: TrailImportSink,
  options: ImportTrailIntoOptions,
): Promise<TrailImportProgress> {
  const files = await listJsonlFiles(trail);
  const sizes = new Map(files.map((f) => [f.path, statSync(f.path).size]));
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  const progress: TrailImportProgress = {
    read: 0,
    inserted: 0,
    duplicates: 0,
    corrupt: 0,
    bytes: 0,
    totalBytes,
  };
  const reader = readJsonlEntries(trail, {
    ...(options.from ? { from: options.from } : {}),
    onCorrupt: () => void progress.corrupt++,
  });
  let doneFiles = 0;
  let current = '';
  let batch: EventRecord[] = [];
  const concurrency = options.concurrency ?? 1;
  // batches being written, oldest first; each reports after the one before it, so positions only move forward
  const inFlight: Promise<void>[] = [];
  const commit = (records: EventRecord[], cursor: JsonlCursor, bytes: number) => {
    const before = inFlight.at(-1);
    const done = (async () => {
      const inserted = await sink.write(records);
      await before;
      progress.duplicates += records.length - inserted;
      progress.inserted += inserted;
      progress.bytes = bytes;
      options.onCommitted?.({ ...progress }, cursor);
    })();
    // handled here as well: a failure surfaces at the next await, not as an unhandled rejection meanwhile
    done.catch(() => {});
    inFlight.push(done);
  };
  try {
    for await (const entry of reader) {
      if (entry.file !== current) {
        if (current !== '') doneFiles += sizes.get(current) ?? 0;
        current = entry.file;
      }
      progress.read++;
      batch.push(new EventRecord(entry.envelope, entry.json));
      if (batch.length < options.batchSize) continue;
      const bytes = doneFiles + (entry.file.endsWith('.gz') ? 0 : entry.offset);
      // the next batch is read and parsed here while up to `concurrency` commit
      while (inFlight.length >= concurrency) await inFlight.shift();
      commit(batch, { ...reader.cursor }, bytes);
      batch = [];
    }
    if (batch.length > 0) commit(batch, { ...reader.cursor }, totalBytes);
    while (inFlight.length > 0) await inFlight.shift();
  } finally {
    await Promise.allSettled(inFlight);
  }
  progress.bytes = totalBytes;
  return progress;
}

/** Reads a position file written by {@link writeTrailImportPosition}; undefined when missing, unreadable or not `matches`. */
export function readTrailImportPosition<T extends { cursor: JsonlCursor }>(
  path: string,
  matches: (saved: T) => boolean,
): JsonlCursor | undefined {
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as T;
    return matches(saved) ? saved.cursor : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a position file atomically (a temp file renamed over it). */
export function writeTrailImportPosition<T extends { cursor: JsonlCursor }>(path: string, position: T): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(position));
  renameSync(tmp, path);
}
