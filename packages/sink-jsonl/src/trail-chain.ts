import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type ChainKey,
  type ChainRecord,
  chainFileName,
  formatChainRecord,
  lastChainRecord,
  parseTrailFileName,
  SegmentDigest,
  type SignedRecord,
} from '@obs/store-format';
import { writeAllSync } from './write-all.js';

/** What a {@link TrailChain} needs from its trail file. */
export interface TrailChainConfig {
  dir: string;
  stem: string;
  key: ChainKey;
  everyLines: number;
  everyMs: number;
  fileMode: number;
  fsync: boolean;
  clock: () => number;
  /** A seal that could not be written: the segment stays open and the next seal covers it. */
  onError: (error: Error) => void;
}

/**
 * The hash chain of one stem's trail files, in `<file>.chain` sidecars: an `open` record per file
 * linked to the previous file's last record, a seal every `everyLines` lines or `everyMs`, and a
 * `close` seal when a file is done (rotation, or the writer closing); a later writer continuing a
 * closed file writes `reopen` first. Fed with the bytes the trail file just wrote.
 */
export class TrailChain {
  readonly #config: TrailChainConfig;
  readonly #segment = new SegmentDigest();
  #fd = -1;
  #file = '';
  #n = 0;
  #prev: string | null = null;
  #lines = 0;
  #bytes = 0;
  #sealedAt = 0;

  constructor(config: TrailChainConfig) {
    this.#config = config;
  }

  /** Lines written since the last seal. */
  get pending(): number {
    return this.#segment.lines;
  }

  /**
   * Starts chaining the data file `path` (named `file`), `size` bytes long: resumes its chain when it
   * has one (sealing what a crash left unsealed), else opens a chain linked to the stem's previous file.
   */
  start(path: string, file: string, size: number): void {
    const chainPath = join(this.#config.dir, chainFileName(file));
    const last = lastChainRecord(chainPath, this.#config.key);
    if (last !== undefined && last.type !== 'prune') {
      this.#openSidecar(chainPath);
      this.#resume(last);
      if (last.type === 'close') this.#reopen(path, size);
      else this.#catchUp(path, size);
      return;
    }
    const previous = this.#previous(file);
    this.#openSidecar(chainPath);
    this.#file = file;
    this.#n = 0;
    this.#lines = 0;
    this.#bytes = 0;
    this.#prev = previous?.mac ?? null;
    // lines from before chaining (a trail written by an older version): the chain starts after them
    if (size > 0) {
      this.#bytes = size;
      this.#lines = countLines(path, size);
    }
    this.#write({
      type: 'open',
      file,
      n: 0,
      at: this.#now(),
      lines: this.#lines,
      bytes: this.#bytes,
      prev_file: previous?.file ?? null,
      prev: this.#prev,
    });
  }

  /** Takes lines the trail file just wrote (whole lines) and seals when a segment is full or old. */
  appended(buffer: Buffer): void {
    this.#segment.update(buffer);
    if (
      this.#segment.lines >= this.#config.everyLines ||
      this.#config.clock() - this.#sealedAt >= this.#config.everyMs
    ) {
      this.seal();
    }
  }

  /** Seals the lines since the last seal, if any. */
  seal(): void {
    if (this.#fd < 0 || this.#segment.lines === 0) return;
    this.#sealRecord('seal');
  }

  /** Writes the file's `close` seal (`next`: the file that follows, on rotation) and closes the sidecar. */
  close(next: string | null): void {
    if (this.#fd < 0) return;
    this.#sealRecord('close', next);
    this.#closeSidecar();
  }

  /** On rotation: closes this file's chain naming `file` as next, and opens `file`'s chain linked to it. */
  rotate(file: string): void {
    const previous = this.#file;
    this.close(file);
    this.#openSidecar(join(this.#config.dir, chainFileName(file)));
    this.#file = file;
    this.#lines = 0;
    this.#bytes = 0;
    this.#write({
      type: 'open',
      file,
      n: 0,
      at: this.#now(),
      lines: 0,
      bytes: 0,
      prev_file: previous,
      prev: this.#prev,
    });
  }

  /** Closes the sidecar without a record (its data file was removed under it). */
  abandon(): void {
    this.#segment.take();
    this.#closeSidecar();
  }

  #sealRecord(type: 'seal' | 'close', next?: string | null): void {
    const segment = this.#segment.take();
    const lines = this.#lines + segment.lines;
    const bytes = this.#bytes + segment.bytes;
    this.#write({
      type,
      file: this.#file,
      n: this.#n + 1,
      at: this.#now(),
      lines,
      bytes,
      sha256: segment.sha256,
      crc: segment.crc,
      ...(type === 'close' ? { next: next ?? null } : {}),
      prev: this.#prev!,
    });
    this.#lines = lines;
    this.#bytes = bytes;
  }

  #write(record: ChainRecord): void {
    const { line, mac } = formatChainRecord(record, this.#config.key);
    try {
      writeAllSync(this.#fd, Buffer.from(`${line}\n`));
      if (this.#config.fsync) fdatasyncSync(this.#fd);
    } catch (error) {
      this.#config.onError(error as Error);
      return;
    }
    this.#n = record.n;
    this.#prev = mac;
    this.#sealedAt = this.#config.clock();
  }

  #resume(last: SignedRecord): void {
    this.#file = (last as { file: string }).file;
    this.#n = last.n;
    this.#prev = last.mac;
    this.#lines = 'lines' in last ? last.lines : 0;
    this.#bytes = 'bytes' in last ? last.bytes : 0;
  }

  /**
   * Continues a file a writer closed cleanly: a `reopen` record where the file ends now. Lines found
   * after the `close` were written by someone else meanwhile: they are left out of every seal, so
   * `verifyTrail` keeps reporting them.
   */
  #reopen(path: string, size: number): void {
    const lines = size === this.#bytes ? this.#lines : countLines(path, size);
    this.#write({
      type: 'reopen',
      file: this.#file,
      n: this.#n + 1,
      at: this.#now(),
      lines,
      bytes: size,
      prev: this.#prev!,
    });
    this.#lines = lines;
    this.#bytes = size;
  }

  /** Seals the whole lines between the last seal and `size` (a crash left them unsealed). */
  #catchUp(path: string, size: number): void {
    if (size <= this.#bytes) return;
    const tail = wholeLines(readRange(path, this.#bytes, size));
    if (tail.length === 0) return;
    this.#segment.update(tail);
    this.seal();
  }

  /**
   * The stem's newest other chained file, its chain finished: a file a crashed process left gets its
   * unsealed lines sealed and a `close` naming the new file (one still open elsewhere is not ours: one
   * writer per directory).
   */
  #previous(file: string): { file: string; mac: string } | undefined {
    const { dir, stem, key } = this.#config;
    const order = parseTrailFileName(file)?.order ?? '';
    let best: { key: string; order: string } | undefined;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    for (const name of names) {
      if (!name.endsWith('.jsonl.chain')) continue;
      const parsed = parseTrailFileName(name.slice(0, -'.chain'.length));
      if (parsed?.stem !== stem || parsed.key === file || parsed.order >= order) continue;
      if (best === undefined || parsed.order > best.order) best = { key: parsed.key, order: parsed.order };
    }
    if (best === undefined) return undefined;
    const chainPath = join(dir, chainFileName(best.key));
    const last = lastChainRecord(chainPath, key);
    if (last === undefined || last.type === 'prune') return undefined;
    if (last.type === 'close') return { file: best.key, mac: last.mac };
    this.#openSidecar(chainPath);
    this.#resume(last);
    const dataPath = join(dir, best.key);
    const size = dataSize(dataPath);
    if (size !== undefined) this.#catchUp(dataPath, size);
    this.close(file);
    return { file: best.key, mac: this.#prev! };
  }

  #openSidecar(path: string): void {
    this.#closeSidecar();
    this.#sealedAt = this.#config.clock();
    this.#fd = openSync(path, 'a+', this.#config.fileMode);
    // a crash mid-record leaves half a line: cut it, it never authenticated anything
    const size = fstatSync(this.#fd).size;
    if (size === 0) return;
    const content = readRange(path, 0, size);
    const end = content.lastIndexOf(10) + 1;
    if (end < size) ftruncateSync(this.#fd, end);
  }

  #closeSidecar(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
  }

  #now(): string {
    return new Date(this.#config.clock()).toISOString();
  }
}

/** Bytes `from..to` of a plain file, or of the decompressed `.gz` when only that exists. */
function readRange(path: string, from: number, to: number): Buffer {
  if (!existsSync(path) && existsSync(`${path}.gz`))
    return gunzipSync(readFileSync(`${path}.gz`)).subarray(from, to);
  const buffer = Buffer.allocUnsafe(to - from);
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function dataSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    try {
      return gunzipSync(readFileSync(`${path}.gz`)).length;
    } catch {
      return undefined;
    }
  }
}

/** Newlines in the first `size` bytes of a file, read 1 MiB at a time. */
function countLines(path: string, size: number): number {
  let lines = 0;
  for (let at = 0; at < size; at += 1 << 20) {
    const chunk = readRange(path, at, Math.min(size, at + (1 << 20)));
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** The buffer up to its last newline. */
function wholeLines(buffer: Buffer): Buffer {
  return buffer.subarray(0, buffer.lastIndexOf(10) + 1);
}
