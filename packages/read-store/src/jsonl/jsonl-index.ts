import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  fileIdentity,
  type JsonlCorruption,
  type JsonlCorruptReason,
  type JsonlCursor,
  type JsonlFile,
  listJsonlFiles,
  peekTrailIndexRows,
  readJsonlEntries,
  readTrailIndex,
  TRAIL_INDEX_SUFFIX,
  type TrailIndexData,
  writeTrailIndex,
} from '@obs/store-format';
import type { SkippedLines } from '../read-store.js';
import { EventTable } from './event-table.js';
import { addToSummaries, type RunAcc, type SessionAcc, type Summaries } from './jsonl-summaries.js';
import type { TrailFileRef } from './line-reader.js';

/** A trail file and how far it has been read. */
export interface FileState extends TrailFileRef {
  key: string;
  stem: string;
  /** Bytes consumed (whole lines), lines seen in them, and the lines its sidecar index covers. */
  consumed: number;
  lines: number;
  indexedLines: number;
  /** A rotated file read to its end: never read again. */
  done: boolean;
  /** Where its first rows came from: its sidecar index, or its lines. */
  loaded: 'sidecar' | 'lines';
  corrupt: Partial<Record<JsonlCorruptReason, number>>;
  issues: JsonlCorruption[];
  /** An unterminated last line of a live file (not consumed: it may still be completed). */
  pending: JsonlCorruption | undefined;
}

/** Options of {@link JsonlIndex}. */
export interface JsonlIndexOptions {
  /** Read and write sidecar index files next to the trail files (default true). */
  sidecar?: boolean;
}

const KEPT_ISSUES = 10;
/** A live file's sidecar index is rewritten once this many lines (and a quarter more) were added. */
const LIVE_REINDEX_LINES = 5000;

/**
 * An index of a JSONL trail: each line as a row of an {@link EventTable} (the JSON stays on disk),
 * the run and session summaries, and the live rows in trail order. Each refresh reads only what was
 * appended. A file's rows come from its sidecar index (`<file>.idx`) when that still matches the
 * file; otherwise the file is read and, when the directory is writable, the index written for the
 * next open. A re-delivered `event_id` is kept once, as in SQLite.
 */
export class JsonlIndex {
  readonly table = new EventTable();
  readonly files: FileState[] = [];
  /** Live rows in trail order `(ts, row)`. */
  events: number[] = [];
  readonly runs = new Map<string, RunAcc>();
  readonly sessions = new Map<string, SessionAcc>();
  readonly #path: string;
  readonly #byKey = new Map<string, number>();
  readonly #summaries: Summaries = { runs: this.runs, sessions: this.sessions, runAt: [], sessionAt: [] };
  #sidecar: boolean;
  #refreshing: Promise<void> | undefined;

  constructor(path: string, options: JsonlIndexOptions = {}) {
    this.#path = path;
    this.#sidecar = options.sidecar ?? true;
  }

  /** Reads what was appended since the last refresh; concurrent calls share one read. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#read().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** The trail position after everything indexed so far. */
  get cursor(): JsonlCursor {
    const out: JsonlCursor = {};
    for (const f of this.files) if (f.lines > 0) out[f.stem] = { file: f.key, offset: f.consumed };
    return out;
  }

  /** Lines skipped as unreadable so far, with the first one. */
  skipped(): SkippedLines {
    const out: SkippedLines = { count: 0, by_reason: {}, first: null };
    for (const f of this.files) {
      const all = f.pending
        ? [...Object.entries(f.corrupt), ['torn', 1] as const]
        : Object.entries(f.corrupt);
      for (const [reason, n] of all) {
        out.count += n;
        out.by_reason[reason as JsonlCorruptReason] = (out.by_reason[reason as JsonlCorruptReason] ?? 0) + n;
      }
      const first = f.issues[0] ?? f.pending;
      if (out.first === null && first !== undefined) {
        out.first = { file: f.path, line: first.line, reason: first.reason, detail: first.detail };
      }
    }
    return out;
  }

  async #read(): Promise<void> {
    const listed = await listJsonlFiles(this.#path);
    const before = this.table.rows;
    const fresh = listed.filter((file) => !this.#byKey.has(file.key));
    if (this.#sidecar) {
      const rows = await Promise.all(fresh.map((file) => peekTrailIndexRows(file.path)));
      this.table.reserve(rows.reduce((a, b) => a + b, 0));
    }
    // one index in memory at a time, next to the table it is copied into
    for (const file of fresh)
      this.#register(file, this.#sidecar ? await readTrailIndex(file.path) : undefined);
    for (let i = 0; i < listed.length; i++) {
      const file = listed[i]!;
      const newest = listed[i + 1]?.stem !== file.stem;
      const no = this.#byKey.get(file.key)!;
      const state = this.files[no]!;
      state.path = file.path;
      state.gzip = file.gzip;
      if (state.done) continue;
      await this.#parse(no, newest);
      if (this.#sidecar && state.lines > state.indexedLines) await this.#write(no, newest);
    }
    this.#fold(before);
  }

  #register(file: JsonlFile, index: TrailIndexData | undefined): void {
    const no = this.files.length;
    const state: FileState = {
      path: file.path,
      gzip: file.gzip,
      key: file.key,
      stem: file.stem,
      consumed: 0,
      lines: 0,
      indexedLines: 0,
      done: false,
      loaded: 'lines',
      corrupt: {},
      issues: [],
      pending: undefined,
    };
    this.files.push(state);
    this.#byKey.set(file.key, no);
    if (index !== undefined) {
      this.table.pushIndex(index, no);
      state.consumed = index.identity.covered;
      state.lines = index.lines;
      state.indexedLines = index.lines;
      state.corrupt = { ...index.corrupt };
      state.issues = index.issues.map((issue) => ({ ...issue, file: file.path }));
      // a sealed file is unchanged since it was read to its end (torn last line included)
      state.done = index.identity.sealed;
      state.loaded = 'sidecar';
    }
  }

  async #parse(no: number, newest: boolean): Promise<void> {
    const f = this.files[no]!;
    const base = f.lines;
    const reader = readJsonlEntries(f.path, {
      from: { [f.stem]: { file: f.key, offset: f.consumed } },
      tail: newest,
      maxIssues: 0,
      onCorrupt: (c) => {
        f.corrupt[c.reason] = (f.corrupt[c.reason] ?? 0) + 1;
        if (f.issues.length < KEPT_ISSUES) f.issues.push({ ...c, line: base + c.line });
      },
    });
    for await (const entry of reader) {
      this.table.push(entry.envelope, no, entry.offset, Buffer.byteLength(entry.json));
    }
    f.consumed = reader.cursor[f.stem]?.offset ?? f.consumed;
    f.lines += reader.report.lines;
    f.done = !newest;
    f.pending = undefined;
    if (newest && !f.gzip) {
      const size = await stat(f.path).then(
        (s) => s.size,
        () => f.consumed,
      );
      if (size > f.consumed) {
        const detail = `last line has no newline (${size - f.consumed} bytes)`;
        f.pending = { file: f.path, line: f.lines + 1, offset: f.consumed, reason: 'torn', detail };
      }
    }
  }

  async #write(no: number, newest: boolean): Promise<void> {
    const f = this.files[no]!;
    const added = f.lines - f.indexedLines;
    if (newest && added < Math.max(LIVE_REINDEX_LINES, f.indexedLines / 4)) return;
    const identity = await fileIdentity(f.path, f.consumed, { compressed: f.gzip, sealed: !newest }).catch(
      () => undefined,
    );
    if (identity === undefined) return;
    const issues = f.issues.map((issue) => ({ ...issue, file: basename(f.path) }));
    const data = this.table.extract(no, { identity, lines: f.lines, corrupt: f.corrupt, issues });
    if (!(await writeTrailIndex(f.path, data))) {
      this.#sidecar = false; // not writable here: keep everything in memory
      return;
    }
    f.indexedLines = f.lines;
    if (f.gzip) await rm(`${f.path.slice(0, -3)}${TRAIL_INDEX_SUFFIX}`, { force: true }).catch(() => {});
  }

  #fold(from: number): void {
    const t = this.table;
    const ts = t.columns.ts as Float64Array;
    let inOrder = true;
    let last = this.events[this.events.length - 1];
    for (let r = from; r < t.rows; r++) {
      if (!t.live[r]) continue;
      addToSummaries(this.#summaries, t, r);
      if (last !== undefined && ts[r]! < ts[last]!) inOrder = false;
      this.events.push(r);
      last = r;
    }
    if (!inOrder) this.events.sort((a, b) => ts[a]! - ts[b]! || a - b);
  }
}

/** A run's rows in trail order. */
export function sortedRows(t: EventTable, acc: { events: number[]; sorted: boolean }): number[] {
  if (!acc.sorted) {
    const ts = t.columns.ts as Float64Array;
    acc.events.sort((a, b) => ts[a]! - ts[b]! || a - b);
    acc.sorted = true;
  }
  return acc.events;
}
