import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { diag, ObsValidationError, parseOrThrow } from '@obs/core';
import type { BackupEntry } from './backup-entry.js';
import { BACKUP_ERROR_CODES, ObsBackupError } from './errors.js';
import { createArchiveStream } from './internal/archive.js';
import { backupKey, normalizePrefix } from './internal/backup-key.js';
import { runRestoreDrill } from './internal/restore-drill.js';
import { selectExpired } from './internal/retention.js';
import { s3Failure, scrub } from './internal/s3-errors.js';
import { deleteKeys, listBackupEntries } from './internal/s3-listing.js';
import { runInWorker, SqliteWorkerError } from './internal/sqlite-worker.js';
import { DATABASE_ENTRY, MANIFEST_FORMAT_VERSION, type Manifest } from './manifest.js';
import { type Retention, type S3BackupOptions, S3BackupOptionsSchema } from './options.js';
import { type RestoreOptions, type RestoreResult, restoreBackup } from './restore.js';

/** What one backup wrote. */
export interface BackupResult {
  key: string;
  /** Archive size in bytes. */
  bytes: number;
  databaseBytes: number;
  sha256: string;
  eventCount: number;
  /** Snapshot, compression and upload, without the drill. */
  durationMs: number;
  /** True when the restore drill passed; false when `restoreDrill` is off. */
  verified: boolean;
  /** How long the restore drill took (download, restore, checks); undefined when it did not run. */
  drillMs: number | undefined;
  manifest: Manifest;
  /** Keys deleted by retention after this backup. */
  pruned: string[];
  /** Set when retention failed; the backup itself succeeded. */
  pruneError?: ObsBackupError;
}

/** Backups of one SQLite event database to one S3 bucket and prefix. */
export interface S3Backup {
  /** The normalized prefix every key of this target lives under. */
  readonly prefix: string;
  /** Snapshot, compress, upload, restore drill (unless off), then apply retention. */
  run(): Promise<BackupResult>;
  /** Backups under the prefix, newest first. */
  listBackups(): Promise<BackupEntry[]>;
  /** Downloads a backup, verifies it and writes the database to `to`. */
  restore(options: RestoreOptions): Promise<RestoreResult>;
  /** Deletes backups the retention rules (the configured ones unless given) no longer keep; returns the deleted keys. */
  prune(retention?: Retention, protect?: string): Promise<string[]>;
  /** Releases the S3 client's sockets (not a client passed in). */
  close(): void;
}

/** Creates a backup target: `createS3Backup({ database: 'events.db', s3: { bucket: 'b' } })`. */
export function createS3Backup(options: S3BackupOptions): S3Backup {
  const o = parseOrThrow(S3BackupOptionsSchema, options, 's3 backup options');
  const prefix = normalizePrefix(o.s3.prefix);
  const bucket = o.s3.bucket;
  const logger = diag(o.logger, 'backup-s3');
  const clock = o.clock ?? Date.now;
  const creds = o.s3.credentials;
  const secrets = creds ? [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken ?? ''] : [];
  const client =
    o.s3.client ??
    new S3Client({
      region: o.s3.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
      ...(o.s3.endpoint ? { endpoint: o.s3.endpoint } : {}),
      ...(o.s3.forcePathStyle !== undefined ? { forcePathStyle: o.s3.forcePathStyle } : {}),
      ...(creds ? { credentials: { ...creds } } : {}),
      ...(o.s3.maxAttempts ? { maxAttempts: o.s3.maxAttempts } : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const fail = (error: unknown, action: string) => s3Failure(error, action, secrets);
  const where = `s3://${bucket}/${prefix}`;

  const listBackups = async () => {
    try {
      return await listBackupEntries(client, bucket, prefix);
    } catch (error) {
      throw fail(error, `listing ${where}`);
    }
  };

  const prune = async (retention: Retention | undefined = o.retention, protect?: string) => {
    if (!retention) return [];
    const expired = selectExpired(await listBackups(), retention, clock(), protect).map((b) => b.key);
    try {
      await deleteKeys(client, bucket, expired);
    } catch (error) {
      throw fail(error, `deleting expired backups in ${where}`);
    }
    if (expired.length > 0) logger.info('backup retention deleted old backups', { count: expired.length });
    return expired;
  };

  const run = async (): Promise<BackupResult> => {
    if (o.database === undefined) {
      throw new ObsValidationError('s3 backup options', [
        { path: 'database', message: 'required to run a backup: the SQLite file to back up' },
      ]);
    }
    const started = performance.now();
    const at = new Date(clock());
    const dir = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'obs-backup-'));
    try {
      const snapshot = join(dir, DATABASE_ENTRY);
      const facts = await takeSnapshot(o.database, snapshot, o.busyTimeoutMs);
      const manifest: Manifest = {
        format: 'obs-backup',
        format_version: MANIFEST_FORMAT_VERSION,
        created_at: at.toISOString(),
        host: o.host,
        database: {
          entry: DATABASE_ENTRY,
          bytes: facts.bytes,
          sha256: facts.sha256,
          page_size: facts.pageSize,
          sqlite_version: facts.sqliteVersion,
        },
        schema_version: facts.schemaVersion,
        event_count: facts.eventCount,
        first_timestamp: facts.firstTimestamp,
        last_timestamp: facts.lastTimestamp,
        compression: { format: 'tar+gzip', level: o.compressionLevel },
      };
      const key = backupKey(prefix, at, o.host);
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      const archive = createArchiveStream(manifest, snapshot, o.compressionLevel);
      archive.on('error', (error) => counter.destroy(error));
      archive.pipe(counter);
      const upload = new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: key,
          Body: counter,
          ContentType: 'application/gzip',
          Metadata: {
            'obs-format-version': String(MANIFEST_FORMAT_VERSION),
            'obs-sha256': facts.sha256,
            'obs-event-count': String(facts.eventCount),
          },
        },
        partSize: o.partSizeBytes,
        queueSize: o.queueSize,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        archive.destroy();
        throw fail(error, `uploading s3://${bucket}/${key}`);
      }
      const durationMs = Math.round(performance.now() - started);
      // the drill restores beside the snapshot: free its space first
      await rm(snapshot, { force: true });
      const drill = o.restoreDrill ? await runRestoreDrill(() => open(key), key, manifest, dir) : undefined;
      const result: BackupResult = {
        key,
        bytes,
        databaseBytes: facts.bytes,
        sha256: facts.sha256,
        eventCount: facts.eventCount,
        durationMs,
        verified: drill !== undefined,
        drillMs: drill?.durationMs,
        manifest,
        pruned: [],
      };
      try {
        result.pruned = await prune(o.retention, key);
      } catch (error) {
        result.pruneError = fail(error, 'retention');
        logger.warn('backup retention failed; the backup itself succeeded', {
          key,
          message: result.pruneError.message,
        });
      }
      return result;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const open = async (key: string) => {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body as NodeJS.ReadableStream as import('node:stream').Readable;
    } catch (error) {
      throw fail(error, `downloading s3://${bucket}/${key}`);
    }
  };

  const restore = (options: RestoreOptions) =>
    restoreBackup(options, {
      latest: async () => (await listBackups())[0]?.key,
      open,
      where,
      verifyIntegrity: o.verifyIntegrity,
    });

  return {
    prefix,
    run,
    listBackups,
    restore,
    prune,
    close: () => {
      if (!o.s3.client) client.destroy();
    },
  };

  async function takeSnapshot(source: string, target: string, busyTimeoutMs: number) {
    const found = await stat(source).catch(() => undefined);
    if (!found?.isFile()) {
      throw new ObsBackupError(
        BACKUP_ERROR_CODES.DATABASE,
        `the database to back up does not exist or is not a file: ${source}`,
      );
    }
    try {
      return await runInWorker({ kind: 'snapshot', source, target, busyTimeoutMs });
    } catch (error) {
      const code = error instanceof SqliteWorkerError ? error.sqliteCode : undefined;
      const isDb = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CANTOPEN';
      throw new ObsBackupError(
        isDb ? BACKUP_ERROR_CODES.DATABASE : BACKUP_ERROR_CODES.SNAPSHOT,
        scrub(
          `snapshot of ${source} failed${code ? ` (${code})` : ''}: ${(error as Error).message}`,
          secrets,
        ),
        { cause: error, retryable: !isDb },
      );
    }
  }
}
