import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** What a seal records of a segment of lines. */
export interface SegmentSummary {
  lines: number;
  bytes: number;
  sha256: string;
  /** CRC-32 of each line (with its newline), 8 hex digits each. */
  crc: string;
}

/**
 * The running SHA-256 and per-line CRC-32s of the lines since the last seal, fed with the bytes a
 * writer already has in hand. `update` takes whole `\n`-terminated lines.
 */
export class SegmentDigest {
  #hash: Hash = createHash('sha256');
  #crcs = Buffer.allocUnsafe(4096);
  #lines = 0;
  #bytes = 0;

  /** Lines since the last {@link take}. */
  get lines(): number {
    return this.#lines;
  }

  /** Adds whole lines (each ending in `\n`). */
  update(buffer: Buffer): void {
    this.#hash.update(buffer);
    this.#bytes += buffer.length;
    let from = 0;
    for (;;) {
      const nl = buffer.indexOf(10, from);
      if (nl === -1) break;
      if ((this.#lines + 1) * 4 > this.#crcs.length) {
        const grown = Buffer.allocUnsafe(this.#crcs.length * 2);
        this.#crcs.copy(grown);
        this.#crcs = grown;
      }
      // a plain view: cheaper to make than a Buffer's subarray, and crc32 takes any ArrayBufferView
      const line = new Uint8Array(buffer.buffer, buffer.byteOffset + from, nl + 1 - from);
      this.#crcs.writeUInt32BE(crc32(line), this.#lines * 4);
      this.#lines++;
      from = nl + 1;
    }
  }

  /** The segment so far, and a fresh start for the next one. */
  take(): SegmentSummary {
    const summary = {
      lines: this.#lines,
      bytes: this.#bytes,
      sha256: this.#hash.digest('hex'),
      crc: this.#crcs.toString('hex', 0, this.#lines * 4),
    };
    this.#hash = createHash('sha256');
    this.#lines = 0;
    this.#bytes = 0;
    return summary;
  }
}

/** CRC-32 of one line (with its newline) as the 8 hex digits a seal stores. */
export function lineCrc(line: Buffer): string {
  return crc32(line).toString(16).padStart(8, '0');
}
