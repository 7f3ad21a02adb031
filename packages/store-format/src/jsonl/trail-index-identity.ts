import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** How a sidecar index recognises its trail file (see `readTrailIndex`). */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** Size and mtime of the file on disk when indexed. */
  size: number;
  mtimeMs: number;
  /** Bytes of (uncompressed) text the index covers: whole lines only. */
  covered: number;
  /** A gzipped file: hashes are of its compressed bytes. */
  compressed: boolean;
  /** Read to its end as a finished (rotated or gzipped) file: it must not have changed at all. */
  sealed: boolean;
  /** SHA-256 of the first and of the last (up to) 64 KiB of the file's hashed span. */
  head: string;
  end: string;
}

const SPAN = 64 * 1024;

/**
 * The identity of the file at `path` with `covered` bytes indexed: a plain file's hashes cover its
 * first `covered` bytes, a gzipped file's its whole compressed content.
 */
export async function fileIdentity(
  path: string,
  covered: number,
  kind: { compressed: boolean; sealed: boolean },
): Promise<FileIdentity> {
  const { compressed, sealed } = kind;
  const file = await open(path, 'r');
  try {
    const s = await file.stat();
    const hashed = compressed ? s.size : Math.min(covered, s.size);
    const hash = async (from: number) => {
      const length = Math.min(SPAN, hashed - from);
      const buffer = Buffer.alloc(Math.max(0, length));
      if (length > 0) await file.read(buffer, 0, length, from);
      return createHash('sha256').update(buffer).digest('hex');
    };
    return {
      dev: s.dev,
      ino: s.ino,
      size: s.size,
      mtimeMs: s.mtimeMs,
      covered,
      compressed,
      sealed: sealed || compressed,
      head: await hash(0),
      end: await hash(Math.max(0, hashed - SPAN)),
    };
  } finally {
    await file.close();
  }
}

/**
 * Whether a file now (`now`, taken at `saved.covered`) is still the one `saved` describes: a sealed
 * file unchanged, a live one the same up to the covered bytes (grown, or with the same mtime).
 */
export function identityMatches(saved: FileIdentity, now: FileIdentity): boolean {
  if (saved.dev !== now.dev || saved.ino !== now.ino || saved.compressed !== now.compressed) return false;
  if (saved.head !== now.head || saved.end !== now.end) return false;
  if (saved.sealed || now.size === saved.size)
    return now.size === saved.size && now.mtimeMs === saved.mtimeMs;
  return now.size > saved.size && now.size >= saved.covered;
}
