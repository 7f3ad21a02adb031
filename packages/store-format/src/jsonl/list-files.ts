import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ObsValidationError } from '@obs/core';
import { parseTrailFileName, type TrailFileName } from './file-names.js';

/** A trail file found on disk. */
export interface JsonlFile extends TrailFileName {
  path: string;
}

/** Options of {@link listJsonlFiles}. */
export interface ListJsonlFilesOptions {
  /** Only files of these stems (a file name, or `sanitizeEventTypeFileName(type)`). */
  stems?: readonly string[];
}

/**
 * The trail files under a directory (or the one file given), grouped by stem in name order and,
 * within a stem, oldest first. When a rotated file exists both plain and gzipped (a compression
 * was interrupted after it completed), only the `.gz` is listed, so nothing is read twice.
 */
export async function listJsonlFiles(
  pathOrDir: string,
  options: ListJsonlFilesOptions = {},
): Promise<JsonlFile[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(pathOrDir)).isDirectory();
  } catch (error) {
    throw new ObsValidationError(
      'JSONL path',
      [{ path: 'pathOrDir', message: `cannot read "${pathOrDir}": ${(error as Error).message}` }],
      {
        cause: error,
      },
    );
  }
  if (!isDir) {
    const parsed = parseTrailFileName(basename(pathOrDir));
    const name = basename(pathOrDir);
    const gzip = name.endsWith('.gz');
    return [
      {
        path: pathOrDir,
        ...(parsed ?? { key: name, stem: name, stamp: null, counter: 0, gzip, order: '0' }),
      },
    ];
  }
  const stems = options.stems ? new Set(options.stems) : undefined;
  const byKey = new Map<string, JsonlFile>();
  for (const entry of await readdir(pathOrDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const parsed = parseTrailFileName(entry.name);
    if (!parsed || (stems && !stems.has(parsed.stem))) continue;
    const seen = byKey.get(parsed.key);
    if (seen?.gzip) continue;
    byKey.set(parsed.key, { path: join(pathOrDir, entry.name), ...parsed });
  }
  return [...byKey.values()].sort(compareFiles);
}

/** Stem first, then age: the order `listJsonlFiles` returns. */
export function compareFiles(a: TrailFileName, b: TrailFileName): number {
  if (a.stem !== b.stem) return a.stem < b.stem ? -1 : 1;
  return a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
}
