import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type JsonlCursor, parseTrailFileName } from '@obs/store-format';

/**
 * Where the trail at `path` ends right now, per stem (its newest file and that file's size), read
 * synchronously so a live tail starts exactly when it is asked for. A gzipped newest file counts as
 * read to its end.
 */
export function trailEnd(path: string): JsonlCursor {
  const end: JsonlCursor = {};
  const orders = new Map<string, string>();
  const isDir = statSync(path).isDirectory();
  const names = isDir ? readdirSync(path) : [basename(path)];
  for (const name of names) {
    const parsed =
      parseTrailFileName(name) ?? (isDir ? undefined : { key: name, stem: name, order: '0', gzip: false });
    if (parsed === undefined) continue;
    const seen = orders.get(parsed.stem);
    if (seen !== undefined && seen > parsed.order) continue;
    if (seen === parsed.order && !parsed.gzip) continue;
    orders.set(parsed.stem, parsed.order);
    const size = parsed.gzip
      ? Number.MAX_SAFE_INTEGER
      : (statSync(isDir ? join(path, name) : path, { throwIfNoEntry: false })?.size ?? 0);
    end[parsed.stem] = { file: parsed.key, offset: size };
  }
  return end;
}
