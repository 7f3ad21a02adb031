import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ObsValidationError } from '@obs/core';
import { BACKUP_ERROR_CODES, ObsBackupError } from './errors.js';
import { extractArchive } from './internal/extract-archive.js';
import { runInWorker } from './internal/sqlite-worker.js';
import type { Manifest } from './manifest.js';

/** Which backup to restore and where. Give exactly one of `key` and `latest`. */
export interface RestoreOptions {
  key?: string;
  latest?: boolean;
  /** Path of the database file to write. */
  to: string;
  /** Replace an existing file at `to` (and drop its stale `-wal`/`-shm`). Default false. */
  overwrite?: boolean;
}

/** What a restore wrote. */
export interface RestoreResult {
  key: string;
  path: string;
  manifest: Manifest;
}

/** How {@link restoreBackup} reaches the store. */
export interface RestoreSource {
  latest(): Promise<string | undefined>;
  open(key: string): Promise<Readable>;
  where: string;
  verifyIntegrity: boolean;
}

/** Downloads, verifies (sha256, size, integrity_check) and atomically places a backup's database at `to`. */
export async function restoreBackup(options: RestoreOptions, source: RestoreSource): Promise<RestoreResult> {
  const hasKey = typeof options.key === 'string' && options.key.length > 0;
  if (hasKey === (options.latest === true) || typeof options.to !== 'string' || options.to.length === 0) {
    throw new ObsValidationError('restore options', [
      ...(hasKey === (options.latest === true)
        ? [{ path: 'key', message: 'give exactly one of `key` and `latest: true`' }]
        : []),
      ...(typeof options.to !== 'string' || options.to.length === 0
        ? [{ path: 'to', message: 'expected the path of the database file to write' }]
        : []),
    ]);
  }
  const to = resolve(options.to);
  const overwrite = options.overwrite === true;
  await assertPlaceable(to, overwrite);
  const key = hasKey ? options.key! : await source.latest();
  if (key === undefined)
    throw new ObsBackupError(BACKUP_ERROR_CODES.NOT_FOUND, `no backup found under ${source.where}`);
  await mkdir(dirname(to), { recursive: true });
  const temp = join(dirname(to), `.${basename(to)}.restore-${randomBytes(6).toString('hex')}`);
  try {
    const manifest = await extractArchive(await source.open(key), temp, `backup ${key}`);
    if (source.verifyIntegrity) {
      const problems = await runInWorker({ kind: 'verify', path: temp });
      if (problems.length !== 1 || problems[0] !== 'ok') {
        throw new ObsBackupError(
          BACKUP_ERROR_CODES.INTEGRITY,
          `backup ${key}: integrity_check failed: ${problems.slice(0, 5).join('; ')}`,
        );
      }
    }
    await place(temp, to, overwrite);
    return { key, path: to, manifest };
  } finally {
    await rm(temp, { force: true });
    await rm(`${temp}-wal`, { force: true });
    await rm(`${temp}-shm`, { force: true });
  }
}

async function assertPlaceable(to: string, overwrite: boolean): Promise<void> {
  const existing = await stat(to).catch(() => undefined);
  if (existing && !overwrite) throw exists(to);
  if (existing && !existing.isFile()) throw exists(to, 'is not a regular file');
  if (!existing && !overwrite && (await stat(`${to}-wal`).catch(() => undefined)))
    throw exists(`${to}-wal`, 'is left over and would be replayed');
}

async function place(temp: string, to: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    // a stale WAL beside the old file would be replayed into the restored database
    await rm(`${to}-wal`, { force: true });
    await rm(`${to}-shm`, { force: true });
    await rename(temp, to);
    return;
  }
  try {
    await link(temp, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists(to);
    throw error;
  }
  await unlink(temp);
}

function exists(to: string, why = 'already exists'): ObsBackupError {
  return new ObsBackupError(
    BACKUP_ERROR_CODES.DESTINATION_EXISTS,
    `restore target ${to} ${why}; pass overwrite: true (CLI: --overwrite) to replace it`,
  );
}
