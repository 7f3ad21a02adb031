import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const CHUNK = 1 << 20;

/** The uncompressed bytes of a plain or gzipped trail file, from byte `start`, in 1 MiB chunks. */
export async function* dataChunks(path: string, gzip: boolean, start = 0): AsyncGenerator<Buffer> {
  const source = createReadStream(path, { start: gzip ? 0 : start, highWaterMark: CHUNK });
  const stream: Readable = gzip ? source.pipe(createGunzip({ chunkSize: CHUNK })) : source;
  if (gzip) source.on('error', (error) => stream.destroy(error));
  let skip = gzip ? start : 0;
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
      yield chunk;
    }
  } finally {
    stream.destroy();
    source.destroy();
  }
}

/** Up to `max` lines from byte `start` (the last one may lack its newline: the file ends there). */
export async function readLines(path: string, gzip: boolean, start: number, max: number): Promise<Buffer[]> {
  const lines: Buffer[] = [];
  let carry: Buffer[] = [];
  for await (const chunk of dataChunks(path, gzip, start)) {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      lines.push(Buffer.concat([...carry, chunk.subarray(from, nl + 1)]));
      carry = [];
      from = nl + 1;
      if (lines.length >= max) return lines;
    }
    if (from < chunk.length) carry.push(chunk.subarray(from));
  }
  if (carry.length > 0) lines.push(Buffer.concat(carry));
  return lines;
}
