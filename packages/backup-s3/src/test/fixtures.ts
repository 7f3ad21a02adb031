import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Backup, type S3Backup, type S3BackupOptions, type S3Target } from '../index.js';
import { S3RVER_CREDENTIALS, type TestS3 } from './s3-server.js';

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
