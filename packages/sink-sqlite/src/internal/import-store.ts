import { closeSync, openSync, readSync } from 'node:fs';
import { EventRecord, OBS_ERROR_CODES, ObsError } from '@obs/core';
import type Database from 'better-sqlite3';
import { parseSqliteSinkOptions } from '../options.js';
import { createSqliteSink } from '../sqlite-sink.js';
import { BatchWriter, type StoredEvent } from './batch-writer.js';
import { isBusyError } from './busy.js';
import { openDatabase } from './open-database.js';

/** Where an import writes: `write` commits a batch and returns how many events were new. */
export interface ImportStore {
  /** True when the store is loaded in rebuild mode (a rollback journal, no WAL, until `close`). */
  readonly rebuild: boolean;
  write(batch: readonly StoredEvent[]): number;
  /** Ends the import: a rebuilt store goes back to WAL, as a live sink leaves it. */
  close(): Promise<void>;
}

/** Byte 18 of a SQLite file's header: 1 for a rollback journal, 2 for WAL. */
const WRITE_VERSION_OFFSET = 18;

/**
 * True when `path` is an SQLite file in rollback-journal mode: obs stores are always WAL (every
 * sink switches a file to WAL when it opens it, and a rebuild switches back when it ends), so such a
 * file is a rebuild that did not end, the marker a rerun resumes in rebuild mode.
 */
export function isUnfinishedRebuild(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const header = Buffer.alloc(100);
    if (readSync(fd, header, 0, 100, 0) < 100) return false;
    return header.toString('latin1', 0, 15) === 'SQLite format 3' && header[WRITE_VERSION_OFFSET] === 1;
  } finally {
    closeSync(fd);
  }
}

/** Switches the connection to a rollback journal; false when another connection holds the file (it stays WAL). */
function leaveWal(db: Database.Database): boolean {
  try {
    return db.pragma('journal_mode = TRUNCATE', { simple: true }) === 'truncate';
  } catch (error) {
    if (isBusyError(error)) return false;
    throw error;
  }
}

/**
 * Opens the store an import fills. A new or empty store (or one a killed rebuild left) is loaded in
 * rebuild mode: a rollback journal instead of the WAL, so each page is written once and no
 * checkpoint thread copies it again, held with an exclusive lock; a kill mid-batch leaves a hot
 * journal that SQLite rolls back when the file is next opened, so the store holds whole batches
 * only. A store with events, or one another connection holds open, goes through the live sink (WAL
 * and its checkpoint thread), so its readers and writers go on.
 */
export function openImportStore(path: string): ImportStore {
  const resuming = isUnfinishedRebuild(path);
  // an import can be rerun, so it does not wait for the device at each commit (a process kill is still safe)
  const options = parseSqliteSinkOptions({ path, name: 'import', synchronous: 'OFF' });
  const { db } = openDatabase(options);
  const empty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM event_rows)').pluck().get() === 1;
  if (resuming || empty) {
    db.pragma('locking_mode = EXCLUSIVE');
    if (leaveWal(db)) {
      const writer = new BatchWriter(db);
      return {
        rebuild: true,
        write: (batch) => writer.write(batch),
        close: async () => {
          try {
            const mode = db.pragma('journal_mode = WAL', { simple: true });
            if (mode !== 'wal') {
              throw new ObsError(
                OBS_ERROR_CODES.SINK,
                `the rebuilt store "${path}" refused WAL mode: journal_mode is "${String(mode)}", expected "wal"`,
              );
            }
          } finally {
            db.close();
          }
        },
      };
    }
  }
  // a store with events, or one another connection holds open (a live sink on a store still empty)
  db.close();
  const sink = createSqliteSink(options);
  return {
    rebuild: false,
    write: (batch) => {
      const before = sink.duplicates;
      sink.writeSync(batch.map((e) => new EventRecord(e.envelope, e.json)));
      return batch.length - (sink.duplicates - before);
    },
    close: () => Promise.resolve(sink.close()),
  };
}
