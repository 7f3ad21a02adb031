import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { OBS_ERROR_CODES, ObsError } from '@obs/core';
import {
  importTrailInThread,
  type JsonlCursor,
  readTrailImportPosition,
  type TrailImportProgress,
  type TrailImportResult,
  writeTrailImportPosition,
} from '@obs/store-format';
import { openImportStore } from './internal/import-store.js';

/** Options of {@link importTrail}. */
export interface ImportTrailOptions {
  /** The SQLite store to fill (created when missing). */
  into: string;
  /** Events per transaction (default 2048: larger batches cost more in garbage collection than they save in commits). */
  batchSize?: number;
  /** Continue after the last saved position of an earlier, interrupted import of this trail (default true). */
  resume?: boolean;
  /** Called after each committed batch. */
  onProgress?: (progress: ImportProgress) => void;
}

/** Where an import stands (the shared trail-import loop's progress). */
export type ImportProgress = TrailImportProgress;

/** What an import did. */
export interface ImportResult extends TrailImportResult {
  /** True when it loaded the store in rebuild mode (a new or empty store, or one a killed rebuild left); always set here, optional so other writers' results fit. */
  rebuild?: boolean;
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
 * run and session summaries, stats rollups (and every other rule of the writer) come out as if the
 * events had been written live. A second thread reads, parses and checks the lines while this one
 * commits the batch before, each canonical line stored as read. Idempotent by `event_id`; after a
 * kill, running it again continues from the last saved position, and anything written after that
 * position is skipped as a duplicate.
 */
export async function importTrail(trail: string, options: ImportTrailOptions): Promise<ImportResult> {
  if (
    options.batchSize !== undefined &&
    (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 100_000)
  ) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `batchSize must be a whole number from 1 to 100000, got ${options.batchSize}`,
    );
  }
  const started = performance.now();
  const cursorPath = importCursorPath(options.into);
  const saved =
    options.resume === false
      ? undefined
      : readTrailImportPosition<SavedCursor>(cursorPath, (c) => c.trail === resolve(trail));
  const store = openImportStore(options.into);
  const batchSize = options.batchSize ?? 2048;
  let lastSave = 0;
  let progress: ImportProgress;
  try {
    progress = await importTrailInThread(
      { trail, batchSize, ...(saved ? { from: saved } : {}) },
      (events) => store.write(events),
      (p, cursor) => {
        if (performance.now() - lastSave > 250) {
          writeTrailImportPosition(cursorPath, { trail: resolve(trail), cursor } satisfies SavedCursor);
          lastSave = performance.now();
        }
        options.onProgress?.(p);
      },
    );
  } finally {
    await store.close();
  }
  rmSync(cursorPath, { force: true });
  return {
    ...progress,
    seconds: (performance.now() - started) / 1000,
    resumed: saved !== undefined,
    rebuild: store.rebuild,
  };
}
