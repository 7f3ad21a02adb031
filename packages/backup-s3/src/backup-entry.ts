/** One backup found under the prefix. */
export interface BackupEntry {
  key: string;
  /** Archive size in bytes. */
  bytes: number;
  /** When the backup was taken (from its key). */
  createdAt: Date;
  /** Host that took it (from its key). */
  host: string;
  lastModified: Date | undefined;
}
