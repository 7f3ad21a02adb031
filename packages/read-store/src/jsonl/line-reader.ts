import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** A trail file as the reader knows it. */
export interface TrailFileRef {
  /** Where it was found; a plain file compressed since is read from `<path>.gz`. */
  path: string;
  gzip: boolean;
}

/** Lines closer than this are read with one `pread`. */
const COALESCE = 64 * 1024;

/**
 * The text of trail lines at `(offset, length)` of their files, in the order asked: lines of one
 * plain file are read with positional reads (neighbours with one read), a gzipped file is
 * decompressed once per call.
 */
export function readLines(
  files: readonly TrailFileRef[],
  wanted: readonly { file: number; offset: number; length: number }[],
): string[] {
  const out: string[] = new Array(wanted.length);
  const byFile = new Map<number, number[]>();
  wanted.forEach((w, i) => {
    const list = byFile.get(w.file);
    if (list === undefined) byFile.set(w.file, [i]);
    else list.push(i);
  });
  for (const [fileNo, indexes] of byFile) {
    const file = files[fileNo]!;
    indexes.sort((a, b) => wanted[a]!.offset - wanted[b]!.offset);
    if (file.gzip) {
      const text = gunzipSync(readFileSync(file.path));
      for (const i of indexes) out[i] = slice(text, wanted[i]!);
      continue;
    }
    let fd: number;
    try {
      fd = openSync(file.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // rotated and compressed since it was read
      const text = gunzipSync(readFileSync(`${file.path}.gz`));
      for (const i of indexes) out[i] = slice(text, wanted[i]!);
      continue;
    }
    try {
      for (let k = 0; k < indexes.length; ) {
        const start = wanted[indexes[k]!]!.offset;
        let end = start + wanted[indexes[k]!]!.length;
        let j = k + 1;
        for (; j < indexes.length; j++) {
          const w = wanted[indexes[j]!]!;
          if (w.offset > end + COALESCE) break;
          end = Math.max(end, w.offset + w.length);
        }
        const buffer = Buffer.allocUnsafe(end - start);
        let got = 0;
        while (got < buffer.length) {
          const n = readSync(fd, buffer, got, buffer.length - got, start + got);
          if (n === 0)
            throw new Error(`"${file.path}" is shorter than its index says (changed since it was read)`);
          got += n;
        }
        for (; k < j; k++) {
          const w = wanted[indexes[k]!]!;
          out[indexes[k]!] = buffer.toString('utf8', w.offset - start, w.offset - start + w.length);
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

function slice(text: Buffer, w: { offset: number; length: number }): string {
  if (w.offset + w.length > text.length)
    throw new Error('a compressed trail file is shorter than its index says');
  return text.toString('utf8', w.offset, w.offset + w.length);
}
