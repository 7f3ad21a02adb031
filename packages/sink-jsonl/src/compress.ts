import { createReadStream, createWriteStream, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { parseTrailFileName } from '@obs/store-format';

/**
 * Compresses a rotated file to `<file>.gz`: written as `.gz.tmp`, renamed when complete, and only
 * then is the plain file removed, so a crash at any point leaves the events in exactly one
 * readable file (the reader prefers the `.gz` when both exist).
 */
export async function gzipFile(path: string, sync: boolean): Promise<void> {
  const tmp = `${path}.gz.tmp`;
  await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(tmp, { flags: 'w' }));
  if (sync) {
    const handle = await open(tmp, 'r+');
    await handle.sync().finally(() => handle.close());
  }
  await rename(tmp, `${path}.gz`);
  await unlink(path);
}

/**
 * Finishes what a crash interrupted for one stem: removes stale `.gz.tmp` files and plain files
 * whose `.gz` is complete, and returns the rotated plain files that still need compressing.
 * Runs before the stem's first file is opened, so the file being written is never among them.
 */
export function recoverRotated(dir: string, stem: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const pending: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`${stem}.`)) continue;
    if (name.endsWith('.jsonl.gz.tmp')) {
      unlinkSync(join(dir, name));
      continue;
    }
    const parsed = parseTrailFileName(name);
    if (parsed?.stem !== stem || parsed.stamp === null || parsed.gzip) continue;
    if (existsSync(join(dir, `${name}.gz`))) unlinkSync(join(dir, name));
    else pending.push(join(dir, name));
  }
  return pending;
}
