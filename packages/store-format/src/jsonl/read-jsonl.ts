import { type Envelope, EnvelopeSchema } from '@obs/core';
import { isEnvelope } from './envelope-check.js';
import { type FileLine, fileLines } from './file-lines.js';
import { parseTrailFileName } from './file-names.js';
import { type JsonlFile, listJsonlFiles } from './list-files.js';

/** Why a line was skipped: unterminated last line, not JSON, not a valid envelope, too long, unreadable file. */
export type JsonlCorruptReason = 'torn' | 'json' | 'envelope' | 'too_long' | 'io';

/** One skipped line (or unreadable rest of a file). */
export interface JsonlCorruption {
  file: string;
  /** 1-based, counted from where reading started in the file (the true line number unless resumed). */
  line: number;
  /** Byte offset of the line in the (uncompressed) file. */
  offset: number;
  reason: JsonlCorruptReason;
  detail: string;
}

/** What a read saw; complete once iteration has ended. */
export interface JsonlReadReport {
  files: number;
  /** Lines looked at, blank and corrupt ones included. */
  lines: number;
  /** Envelopes yielded. */
  read: number;
  /** Valid envelopes the filter left out. */
  filtered: number;
  /** Lines skipped as corrupt (every one is counted; `issues` keeps the first `maxIssues`). */
  corrupt: number;
  issues: JsonlCorruption[];
}

/** Per stem, where reading stopped: the file's name without `.gz` and the byte after the last consumed line. */
export type JsonlCursor = Record<string, { file: string; offset: number }>;

/** An envelope with its canonical line and where it was read. */
export interface JsonlEntry {
  envelope: Envelope;
  json: string;
  file: string;
  line: number;
  offset: number;
}

/** Options of {@link readJsonl}. */
export interface ReadJsonlOptions {
  /** Yields only envelopes it returns true for. */
  filter?: (envelope: Envelope) => boolean;
  /** Reads only these stems (a file name, or `sanitizeEventTypeFileName(type)` with `routeBy: "event_type"`). */
  stems?: readonly string[];
  /** Resume after a previous read's `cursor`: earlier files are skipped, the cursor's file is read from its offset. */
  from?: JsonlCursor;
  /** Live files: an unterminated last line of a stem's newest file is neither reported nor consumed. */
  tail?: boolean;
  /** Called with each skipped line, as it is found. */
  onCorrupt?: (corruption: JsonlCorruption) => void;
  /** Issues kept in `report.issues` (default 1000); the count goes on. */
  maxIssues?: number;
  /** Longer lines are skipped as `too_long` (default 16 MiB). */
  maxLineBytes?: number;
}

/** An async iterable of envelopes (or entries) with the report and cursor of the read; iterate it once. */
export interface JsonlReader<T> extends AsyncIterable<T> {
  readonly report: JsonlReadReport;
  /** Pass as `from` to read only what was appended since (read-store's live tail). */
  readonly cursor: JsonlCursor;
}

/**
 * Streams the envelopes of a trail (a file, or every trail file under a directory: stem by stem,
 * each stem's rotated and gzipped files oldest first) in constant memory. A torn, corrupt or invalid
 * line is skipped, counted and reported, never fatal: `1 valid + 1 corrupt + 1 valid` yields 2.
 */
export function readJsonl(pathOrDir: string, options: ReadJsonlOptions = {}): JsonlReader<Envelope> {
  return new TrailReader(pathOrDir, options, (entry) => entry.envelope);
}

/** {@link readJsonl}, yielding each envelope with its JSON line, file and position. */
export function readJsonlEntries(pathOrDir: string, options: ReadJsonlOptions = {}): JsonlReader<JsonlEntry> {
  return new TrailReader(pathOrDir, options, (entry) => entry);
}

class TrailReader<T> implements JsonlReader<T> {
  readonly report: JsonlReadReport = { files: 0, lines: 0, read: 0, filtered: 0, corrupt: 0, issues: [] };
  readonly cursor: JsonlCursor;
  readonly #path: string;
  readonly #options: ReadJsonlOptions;
  readonly #map: (entry: JsonlEntry) => T;
  #started = false;

  constructor(path: string, options: ReadJsonlOptions, map: (entry: JsonlEntry) => T) {
    this.#path = path;
    this.#options = options;
    this.#map = map;
    this.cursor = { ...options.from };
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#started) throw new Error('a JSONL reader can be iterated once; call readJsonl again');
    this.#started = true;
    return this.#read();
  }

  async *#read(): AsyncGenerator<T> {
    const files = await listJsonlFiles(this.#path, this.#options.stems ? { stems: this.#options.stems } : {});
    const maxLineBytes = this.#options.maxLineBytes ?? 16 * 1024 * 1024;
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const start = this.#startOf(file);
      if (start === undefined) continue;
      this.report.files++;
      const newest = files[i + 1]?.stem !== file.stem;
      for await (const item of fileLines(file, start, maxLineBytes)) {
        if (item.kind === 'line') {
          this.report.lines++;
          const entry = this.#parse(file, item);
          this.cursor[file.stem] = { file: file.key, offset: item.end };
          if (entry !== undefined) yield this.#map(entry);
        } else {
          this.#problem(file, item, newest);
        }
      }
    }
  }

  #startOf(file: JsonlFile): number | undefined {
    const at = this.cursor[file.stem];
    if (at === undefined) return 0;
    if (at.file === file.key) return at.offset;
    const order = parseTrailFileName(at.file)?.order ?? '0';
    return file.order < order ? undefined : 0;
  }

  #parse(file: JsonlFile, item: Extract<FileLine, { kind: 'line' }>): JsonlEntry | undefined {
    const json = item.text.endsWith('\r') ? item.text.slice(0, -1) : item.text;
    if (json.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      this.#corrupt(file, item.line, item.offset, 'json', (error as Error).message);
      return undefined;
    }
    let envelope: Envelope;
    if (isEnvelope(value)) {
      envelope = value;
    } else {
      // the schema is the rule: the quick check only spares it the lines it passes
      const parsed = EnvelopeSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const detail = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid envelope';
        this.#corrupt(file, item.line, item.offset, 'envelope', detail);
        return undefined;
      }
      envelope = parsed.data as Envelope;
    }
    if (this.#options.filter && !this.#options.filter(envelope)) {
      this.report.filtered++;
      return undefined;
    }
    this.report.read++;
    return { envelope, json, file: file.path, line: item.line, offset: item.offset };
  }

  #problem(file: JsonlFile, item: Exclude<FileLine, { kind: 'line' }>, newest: boolean): void {
    if (item.kind === 'too_long') {
      this.report.lines++;
      this.cursor[file.stem] = { file: file.key, offset: item.end };
      this.#corrupt(
        file,
        item.line,
        item.offset,
        'too_long',
        `line of ${item.bytes} bytes exceeds maxLineBytes`,
      );
    } else if (item.kind === 'torn') {
      if (newest && this.#options.tail) return;
      this.report.lines++;
      this.#corrupt(file, item.line, item.offset, 'torn', `last line has no newline (${item.bytes} bytes)`);
    } else {
      const what = item.gzip ? 'gzip stream' : 'file';
      this.#corrupt(
        file,
        item.line,
        item.offset,
        'io',
        `${what} unreadable from here: ${item.error.message}`,
      );
    }
  }

  #corrupt(file: JsonlFile, line: number, offset: number, reason: JsonlCorruptReason, detail: string): void {
    const corruption: JsonlCorruption = { file: file.path, line, offset, reason, detail };
    this.report.corrupt++;
    if (this.report.issues.length < (this.#options.maxIssues ?? 1000)) this.report.issues.push(corruption);
    try {
      this.#options.onCorrupt?.(corruption);
    } catch {
      // a failing callback must not stop the read
    }
  }
}
