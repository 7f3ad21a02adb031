import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BACKUP_ERROR_CODES, ObsBackupError } from '../errors.js';
import type { Manifest } from '../manifest.js';
import { extractArchive } from './extract-archive.js';
import type { DrillFacts } from './sqlite-task-worker.js';
import { runInWorker } from './sqlite-worker.js';

/** What a passing restore drill read back from the uploaded archive. */
export interface DrillResult {
  durationMs: number;
  eventCount: number;
  lastTimestamp: string | null;
}

/** Manifest fields a drill compares with the manifest the backup wrote. */
const COMPARED = [
  'created_at',
  'host',
  'schema_version',
  'event_count',
  'first_timestamp',
  'last_timestamp',
] as const;

/**
 * Restores the archive just uploaded into `dir` and checks it: the archive's manifest is the one
 * written for it, the database matches its size and sha256 (while streaming), passes
 * `PRAGMA integrity_check`, and holds the manifest's event count and last timestamp. The restored
 * file is removed either way. Throws `ObsBackupError` `DRILL_FAILED` naming the check that failed.
 */
export async function runRestoreDrill(
  open: () => Promise<Readable>,
  key: string,
  expected: Manifest,
  dir: string,
): Promise<DrillResult> {
  const started = performance.now();
  const target = join(dir, 'drill.db');
  try {
    let manifest: Manifest;
    try {
      manifest = await extractArchive(await open(), target, `backup ${key}`, false);
    } catch (error) {
      throw failed(key, describe(error), error);
    }
    const differ = [
      ...COMPARED.map((field) => [field, manifest[field], expected[field]] as const),
      ['database.sha256', manifest.database.sha256, expected.database.sha256] as const,
    ].filter(([, found, wanted]) => found !== wanted);
    if (differ.length > 0) {
      const shown = differ.map(
        ([f, found, wanted]) => `${f}: ${JSON.stringify(found)}, expected ${JSON.stringify(wanted)}`,
      );
      throw failed(
        key,
        `[MANIFEST_MISMATCH] the archive's manifest is not the one written for it (${shown.join('; ')})`,
      );
    }
    let facts: DrillFacts;
    try {
      facts = await runInWorker({ kind: 'drill', path: target });
    } catch (error) {
      throw failed(
        key,
        `[INTEGRITY] the restored database cannot be read: ${(error as Error).message}`,
        error,
      );
    }
    if (facts.integrity.length !== 1 || facts.integrity[0] !== 'ok')
      throw failed(key, `[INTEGRITY] integrity_check failed: ${facts.integrity.slice(0, 5).join('; ')}`);
    if (facts.eventCount !== expected.event_count)
      throw failed(
        key,
        `[MANIFEST_MISMATCH] the restored database holds ${facts.eventCount} events; the manifest says ${expected.event_count}`,
      );
    if (facts.lastTimestamp !== expected.last_timestamp)
      throw failed(
        key,
        `[MANIFEST_MISMATCH] the restored database's last event is at ${facts.lastTimestamp}; the manifest says ${expected.last_timestamp}`,
      );
    return {
      durationMs: Math.round(performance.now() - started),
      eventCount: facts.eventCount,
      lastTimestamp: facts.lastTimestamp,
    };
  } finally {
    await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${target}${suffix}`, { force: true })));
  }
}

const describe = (error: unknown): string =>
  error instanceof ObsBackupError
    ? `[${error.code}] ${error.message}`
    : String((error as Error)?.message ?? error);

function failed(key: string, reason: string, cause?: unknown): ObsBackupError {
  return new ObsBackupError(
    BACKUP_ERROR_CODES.DRILL_FAILED,
    `restore drill of ${key} failed: ${reason}; the backup is uploaded but not verified`,
    { key, retryable: true, ...(cause === undefined ? {} : { cause }) },
  );
}
