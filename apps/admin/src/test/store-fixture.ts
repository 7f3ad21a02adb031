import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sink } from '@obs/core';
import { openJsonlReadStore, openSqliteReadStore, type ReadStore } from '@obs/read-store';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createSqliteSink } from '@obs/sink-sqlite';
import { type DemoIds, type DemoOptions, writeDemoEvents } from './demo-events.js';

/** A temp dir holding the demo workload in a SQLite database and a JSONL trail, with read stores over both. */
export interface StoreFixture {
  dir: string;
  dbPath: string;
  jsonlDir: string;
  ids: DemoIds;
  sqlite: ReadStore;
  jsonl: ReadStore;
  cleanup(): Promise<void>;
}

/** Writes the demo workload through the real sinks and opens both read stores on it. */
export async function createStoreFixture(options: DemoOptions = {}): Promise<StoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-admin-'));
  const dbPath = join(dir, 'events.db');
  const jsonlDir = join(dir, 'trail');
  const sinks: Sink[] = [createSqliteSink({ path: dbPath }), createJsonlSink({ dir: jsonlDir })];
  const ids = await writeDemoEvents(sinks, options);
  const sqlite = await openSqliteReadStore(dbPath);
  const jsonl = await openJsonlReadStore(jsonlDir);
  return {
    dir,
    dbPath,
    jsonlDir,
    ids,
    sqlite,
    jsonl,
    async cleanup() {
      await sqlite.close();
      await jsonl.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
