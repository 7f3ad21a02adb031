import { fdatasync, write, writeSync } from 'node:fs';

/**
 * Writes every byte of `buffer` at the end of a file opened with `O_APPEND` (every trail file is), looping
 * over short writes.
 */
export function writeAllSync(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** {@link writeAllSync} on the thread pool. */
export function writeAll(fd: number, buffer: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number) =>
      write(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < buffer.length) step(offset + written);
        else resolve();
      });
    step(0);
  });
}

/** `fdatasync(2)` as a promise. */
export function dataSync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}
