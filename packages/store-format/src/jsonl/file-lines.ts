import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { JsonlFile } from './list-files.js';

/** One piece of a trail file: a complete line, or a problem that ends or interrupts reading it. */
export type FileLine =
  | { kind: 'line'; text: string; line: number; offset: number; end: number }
  | { kind: 'too_long'; line: number; offset: number; end: number; bytes: number }
  | { kind: 'torn'; line: number; offset: number; bytes: number }
  | { kind: 'error'; line: number; offset: number; error: Error; gzip: boolean };

const CHUNK = 256 * 1024;

/**
 * Streams the `\n`-terminated lines of a plain or gzipped trail file from byte `start` (of the
 * uncompressed text), in constant memory: a line longer than `maxLineBytes` is reported as
 * `too_long` without being held. An unterminated last fragment is reported as `torn`; a read
 * error ends the file with `error` after every line read before it.
 */
export async function* fileLines(
  file: JsonlFile,
  start: number,
  maxLineBytes: number,
): AsyncGenerator<FileLine> {
  let stream: Readable;
  let gzip = file.gzip;
  try {
    stream = await open(file.path, gzip, start).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT' || gzip) throw error;
      // compressed and removed since it was listed: read the compressed copy
      gzip = true;
      return open(`${file.path}.gz`, true, start);
    });
  } catch (error) {
    yield { kind: 'error', line: 1, offset: start, error: error as Error, gzip };
    return;
  }
  let skip = gzip ? start : 0;
  let pos = start;
  let lineStart = start;
  let line = 0;
  let carry: Buffer[] = [];
  let carried = 0;
  let tooLong = false;
  try {
    for await (let chunk of stream as AsyncIterable<Buffer>) {
      if (skip > 0) {
        if (chunk.length <= skip) {
          skip -= chunk.length;
          continue;
        }
        chunk = chunk.subarray(skip);
        skip = 0;
      }
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        if (nl === -1) {
          if (!tooLong && carried + chunk.length - from > maxLineBytes) tooLong = true;
          if (tooLong) carry = [];
          else if (from < chunk.length) carry.push(chunk.subarray(from));
          carried += chunk.length - from;
          break;
        }
        const end = pos + nl + 1;
        line++;
        if (tooLong || carried + nl - from > maxLineBytes) {
          yield { kind: 'too_long', line, offset: lineStart, end, bytes: end - lineStart - 1 };
        } else {
          const piece = chunk.subarray(from, nl);
          const bytes = carried > 0 ? Buffer.concat([...carry, piece]) : piece;
          yield { kind: 'line', text: bytes.toString('utf8'), line, offset: lineStart, end };
        }
        carry = [];
        carried = 0;
        tooLong = false;
        lineStart = end;
        from = nl + 1;
      }
      pos += chunk.length;
    }
  } catch (error) {
    yield { kind: 'error', line: line + 1, offset: lineStart, error: error as Error, gzip };
    return;
  } finally {
    stream.destroy();
  }
  if (carried > 0) yield { kind: 'torn', line: line + 1, offset: lineStart, bytes: carried };
}

function open(path: string, gzip: boolean, start: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(path, { start: gzip ? 0 : start, highWaterMark: CHUNK });
    source.once('error', reject);
    source.once('open', () => {
      source.off('error', reject);
      if (!gzip) return resolve(source);
      const gunzip = createGunzip({ chunkSize: CHUNK });
      source.on('error', (error) => gunzip.destroy(error));
      gunzip.on('close', () => source.destroy());
      resolve(source.pipe(gunzip));
    });
  });
}
