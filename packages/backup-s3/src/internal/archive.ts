import type { Readable } from 'node:stream';
import { TarArchive } from 'archiver';
import { DATABASE_ENTRY, MANIFEST_ENTRY, type Manifest } from '../manifest.js';

/** A tar.gz stream holding `manifest.json` first, then the database, read from disk as it is compressed. */
export function createArchiveStream(manifest: Manifest, databasePath: string, level: number): Readable {
  const archive = new TarArchive({ gzip: true, gzipOptions: { level, memLevel: 9 } });
  const date = new Date(manifest.created_at);
  archive.append(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), {
    name: MANIFEST_ENTRY,
    date,
    mode: 0o644,
  });
  archive.file(databasePath, { name: DATABASE_ENTRY, date, mode: 0o644 });
  archive
    .finalize()
    .catch((error: unknown) => archive.destroy(error instanceof Error ? error : new Error(String(error))));
  return archive;
}
