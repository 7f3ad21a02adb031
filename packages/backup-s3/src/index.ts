export type { BackupEntry } from './backup-entry.js';
export {
  BACKUP_ERROR_CODES,
  type BackupErrorCode,
  ObsBackupError,
} from './errors.js';
export {
  DATABASE_ENTRY,
  MANIFEST_ENTRY,
  MANIFEST_FORMAT_VERSION,
  type Manifest,
  ManifestSchema,
} from './manifest.js';
export { type Retention, type S3BackupOptions, S3BackupOptionsSchema, type S3Target } from './options.js';
export type { RestoreOptions, RestoreResult } from './restore.js';
export { type BackupResult, createS3Backup, type S3Backup } from './s3-backup.js';
export {
  type BackupScheduler,
  type BackupSchedulerOptions,
  BackupSchedulerOptionsSchema,
  createBackupScheduler,
} from './scheduler.js';
