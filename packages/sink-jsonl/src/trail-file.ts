import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { type Envelope, OBS_ERROR_CODES, ObsError } from '@obs/core';
import { TrailIndexBuilder, type TrailIndexRows, trailFileName } from '@obs/store-format';
import type { JsonlSinkSettings } from './options.js';
import type { TrailChain } from './trail-chain.js';
import { writeAllSync } from './write-all.js';

/** What a {@link TrailFile} needs from its sink. */
export interface TrailFileConfig {
  dir: string;
  stem: string;
  settings: JsonlSinkSettings;
  clock: () => number;
  /** Called with the path of each file closed by rotation, and its index rows when it keeps them. */
  onRotated: (path: string, index: FileIndex | undefined) => void;
  /** Called when an existing file ended in a torn line and a newline was added after it. */
  onTornTail: (path: string) => void;
  /** The stem's hash chain, fed with every written chunk; none when chaining is off. */
  chain?: TrailChain;
}

/** The sidecar index rows of a finished file, built as its lines were written, and the bytes they cover. */
export interface FileIndex {
  rows: TrailIndexRows;
  covered: number;
}

/** How many lines of the last `append` reached the file, so a retry writes only the rest. */
export interface AppendProgress {
  lines: number;
}

const NEWLINE = Buffer.from('\n');
/** Chunks up to this size are encoded into a buffer kept between writes; larger ones get their own. */
const KEPT_BUFFER_MAX = 8 * 1024 * 1024;

/**
 * The open file of one stem: appends lines in one write per file chunk, rotates by size and age,
 * rolls a failed write back to the last whole line, and reopens (recreating the directory) when
 * the file was removed under it.
 */
export class TrailFile {
  readonly #config: TrailFileConfig;
  #fd = -1;
  #path = '';
  #size = 0;
  #openedAt = 0;
  #lastStamp = -1;
  #counter = 0;
  #buffer = Buffer.allocUnsafe(256 * 1024);
  /** Rotated files only (each starts empty): the rows of the file being written. */
  readonly #index: TrailIndexBuilder | undefined;
  /** Byte length of each line of the last encoded chunk. */
  #lengths = new Uint32Array(1024);

  constructor(config: TrailFileConfig) {
    this.#config = config;
    if (config.settings.rotation?.index) this.#index = new TrailIndexBuilder();
  }

  /** The file being written, `''` before the first write. */
  get path(): string {
    return this.#path;
  }

  /**
   * Appends with synchronous writes: every line is in the file when this returns. `envelopes[i]` is
   * line `i`'s envelope, for the file's sidecar index.
   */
  appendSync(lines: readonly string[], envelopes: readonly Envelope[], progress: AppendProgress): void {
    for (let from = 0; from < lines.length; ) {
      const end = this.#prepare(lines, from);
      const buffer = this.#encode(lines, from, end);
      try {
        writeAllSync(this.#fd, buffer);
      } catch (error) {
        throw this.#rollback(error);
      }
      if (this.#index !== undefined) this.#indexLines(envelopes, from, end);
      this.#size += buffer.length;
      progress.lines = from = end;
      this.#config.chain?.appended(buffer);
    }
    if (this.#config.settings.durability === 'fsync') fdatasyncSync(this.#fd);
  }

  /** Seals the lines written since the last seal. */
  seal(): void {
    if (this.#fd >= 0) this.#config.chain?.seal();
  }

  /**
   * Ends the chain with a `close` (a later writer may continue an unrotated file after a `reopen`)
   * and closes the file; returns a rotated file's path and index rows, for its sidecar index.
   */
  close(): { path: string; index: FileIndex } | undefined {
    if (this.#fd < 0) return undefined;
    this.#config.chain?.close(null);
    this.#closeData();
    const index = this.#takeIndex();
    return index === undefined ? undefined : { path: this.#path, index };
  }

  /** Rows for lines `from..end` of the chunk just written at `#size` (their lengths from `#encode`). */
  #indexLines(envelopes: readonly Envelope[], from: number, end: number): void {
    let offset = this.#size;
    for (let i = from; i < end; i++) {
      const length = this.#lengths[i - from]!;
      this.#index!.push(envelopes[i]!, offset, length);
      offset += length + 1;
    }
  }

  #takeIndex(): FileIndex | undefined {
    const rows = this.#index?.take();
    return rows === undefined || rows.rows === 0 ? undefined : { rows, covered: this.#size };
  }

  /** Closes the data file (fsync first in `fsync` durability). */
  #closeData(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    try {
      if (this.#config.settings.durability === 'fsync') fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Opens or rotates as needed and returns the end of the next chunk of lines that fits the file. */
  #prepare(lines: readonly string[], from: number): number {
    this.#ensureOpen();
    const maxBytes = this.#config.settings.rotation?.maxBytes;
    if (maxBytes === undefined) return lines.length;
    let end = fitting(lines, from, maxBytes - this.#size);
    if (end === from && this.#size > 0) {
      this.#rotate();
      end = fitting(lines, from, maxBytes);
    }
    return Math.max(end, from + 1);
  }

  /**
   * Lines `from..end`, each followed by `\n`, as UTF-8 in a buffer reused by the next chunk: one
   * write per chunk with no joined string and no new buffer per batch (writes never overlap).
   */
  #encode(lines: readonly string[], from: number, end: number): Buffer {
    let max = 0;
    for (let i = from; i < end; i++) max += lines[i]!.length * 3 + 1;
    let buffer = this.#buffer;
    if (max > buffer.length) {
      buffer = Buffer.allocUnsafe(Math.max(max, buffer.length * 2));
      if (buffer.length <= KEPT_BUFFER_MAX) this.#buffer = buffer;
    }
    if (end - from > this.#lengths.length) this.#lengths = new Uint32Array(end - from);
    let at = 0;
    for (let i = from; i < end; i++) {
      const length = buffer.write(lines[i]!, at, 'utf8');
      this.#lengths[i - from] = length;
      at += length + 1;
      buffer[at - 1] = 0x0a;
    }
    return buffer.subarray(0, at);
  }

  #ensureOpen(): void {
    if (this.#fd < 0) {
      this.#open();
      return;
    }
    if (fstatSync(this.#fd).nlink === 0) {
      const path = this.#path;
      this.#closeQuietly();
      throw new ObsError(
        OBS_ERROR_CODES.SINK,
        `trail file "${path}" was removed while open; a retry writes to a new file`,
      );
    }
    const intervalMs = this.#config.settings.rotation?.intervalMs;
    if (intervalMs !== undefined && this.#config.clock() - this.#openedAt >= intervalMs) this.#rotate();
  }

  #open(rotatedFrom?: string): void {
    const { dir, stem, settings, clock, chain } = this.#config;
    // rows index a file from its first byte: a file opened anew starts with none
    this.#index?.take();
    mkdirSync(dir, { recursive: true });
    if (settings.rotation === undefined) {
      this.#path = join(dir, trailFileName(stem));
      this.#fd = openSync(this.#path, 'a+', settings.fileMode);
      this.#size = fstatSync(this.#fd).size;
      this.#terminateTornTail();
    } else {
      this.#openStamped(clock());
    }
    if (rotatedFrom !== undefined) chain?.rotate(basename(this.#path));
    else chain?.start(this.#path, basename(this.#path), this.#size);
    this.#openedAt = clock();
    if (settings.durability === 'fsync') syncDirectory(dir);
  }

  #openStamped(now: number): void {
    const { dir, stem, settings } = this.#config;
    this.#counter = now === this.#lastStamp ? this.#counter + 1 : 0;
    this.#lastStamp = now;
    for (;;) {
      this.#path = join(dir, trailFileName(stem, now, this.#counter));
      try {
        // O_APPEND as well as O_EXCL: after a rollback's ftruncate the next write lands at the new end
        this.#fd = openSync(this.#path, 'ax', settings.fileMode);
        this.#size = 0;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        this.#counter++;
      }
    }
  }

  /** A crash can leave half a line at the end; a newline after it keeps the next line whole. */
  #terminateTornTail(): void {
    if (this.#size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.#fd, last, 0, 1, this.#size - 1);
    if (last[0] === 0x0a) return;
    writeAllSync(this.#fd, NEWLINE);
    this.#size++;
    this.#config.onTornTail(this.#path);
  }

  #rotate(): void {
    const closed = this.#path;
    this.#closeData();
    const index = this.#takeIndex();
    this.#open(closed);
    this.#config.onRotated(closed, index);
  }

  /** Cuts the file back to its last whole line; if that fails, closes it (the reopen checks its tail). */
  #rollback(error: unknown): ObsError {
    try {
      ftruncateSync(this.#fd, this.#size);
    } catch {
      this.#closeQuietly();
    }
    const cause = error as Error;
    return new ObsError(OBS_ERROR_CODES.SINK, `cannot write trail file "${this.#path}": ${cause.message}`, {
      cause,
    });
  }

  #closeQuietly(): void {
    this.#config.chain?.abandon();
    try {
      closeSync(this.#fd);
    } catch {
      // already unusable
    }
    this.#fd = -1;
  }
}

/** End index of the lines from `from` whose UTF-8 bytes (with newlines) fit in `room`. */
function fitting(lines: readonly string[], from: number, room: number): number {
  let chars = 0;
  for (let i = from; i < lines.length; i++) chars += lines[i]!.length + 1;
  if (chars * 3 <= room) return lines.length;
  let bytes = 0;
  for (let i = from; i < lines.length; i++) {
    bytes += Buffer.byteLength(lines[i]!, 'utf8') + 1;
    if (bytes > room) return i;
  }
  return lines.length;
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
