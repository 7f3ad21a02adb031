import { fileIdentity, writeTrailIndex } from '@obs/store-format';
import type { FileIndex } from './trail-file.js';

/**
 * Writes the sidecar index (`<path>.idx`) of a finished trail file from the rows kept while its
 * lines were written, so a reader's first open uses it instead of reading every line. The reader
 * still checks it against the file (size, mtime, inode, hashes) and rebuilds it when stale. A
 * directory where it cannot be written is no error: readers index the file themselves.
 */
export async function writeFileIndex(path: string, index: FileIndex, compressed: boolean): Promise<void> {
  const identity = await fileIdentity(path, index.covered, { compressed, sealed: true });
  await writeTrailIndex(path, { identity, lines: index.rows.rows, corrupt: {}, issues: [], ...index.rows });
}
