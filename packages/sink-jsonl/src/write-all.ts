import { writeSync } from 'node:fs';

/**
 * Writes every byte of `buffer` at the end of a file opened with `O_APPEND` (every trail file is), looping
 * over short writes.
 */
export function writeAllSync(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
