import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, EventRecord } from '@obs/core';
import { createSqliteSink, type SqliteSink, type SqliteSinkOptions } from '@obs/sink-sqlite';
import type { S3Backup, S3BackupOptions, S3Target } from '../index.js';
import { agentEvents } from './agent-events.js';
import { built } from './built.js';
import { S3RVER_CREDENTIALS, type TestS3 } from './s3-server.js';

// a backup snapshots in a worker thread: see built.ts
const { createS3Backup } = await built<typeof import('../index.js')>('index.js');

/** A temp directory removed by `cleanup`. */
export function tempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'obs-backup-test-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A backup target on the test server; `overrides` replace top-level options, `s3` merges. */
export function backupOn(
  s3: TestS3,
  overrides: Omit<Partial<S3BackupOptions>, 's3'> & { s3?: Partial<S3Target> } = {},
): S3Backup {
  const { s3: target, ...rest } = overrides;
  return createS3Backup({
    ...rest,
    s3: {
      bucket: 'backups',
      prefix: 'obs-backups/test',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      maxAttempts: 1,
      ...target,
    },
  });
}

/**
 * A live event database, written by `@obs/sink-sqlite` at its current schema: the backups under test
 * read what the sink writes, so a schema change that breaks them fails here. The sink stays open, as
 * an application's would, until `close`.
 */
export interface LiveEventDb {
  path: string;
  sink: SqliteSink;
  /** Every envelope written, in commit order (their timestamps increase). */
  readonly written: readonly Envelope[];
  /** Writes the next `count` agent events, in batches of `batchSize`, each committed when it resolves. */
  write(count: number, batchSize?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a sink on `path` (its options merged over the defaults) and writes `count` agent events. */
export async function liveEventDb(
  path: string,
  count: number,
  options: Omit<SqliteSinkOptions, 'path'> = {},
  seed = 1,
): Promise<LiveEventDb> {
  const sink = createSqliteSink({ ...options, path });
  const events = agentEvents(seed);
  const written: Envelope[] = [];
  const write = async (n: number, batchSize = 500) => {
    for (let done = 0; done < n; ) {
      const batch = Array.from(
        { length: Math.min(batchSize, n - done) },
        () => events.next().value as Envelope,
      );
      await sink.write(batch.map((envelope) => new EventRecord(envelope)));
      written.push(...batch);
      done += batch.length;
    }
  };
  await write(count);
  return { path, sink, written, write, close: async () => await sink.close() };
}
