import type { Envelope } from '@obs/core';
import {
  allocColumn,
  TRAIL_INDEX_COLUMNS,
  type TrailIndexColumnName,
  type TrailIndexColumns,
  type TrailIndexData,
} from './trail-index.js';
import { setTrailIndexRow } from './trail-index-row.js';

const allocColumns = (rows: number): TrailIndexColumns => {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) out[name] = allocColumn(kind, rows);
  return out as TrailIndexColumns;
};

/** The rows of a {@link TrailIndexData}: with an identity and line counts, a file's index. */
export type TrailIndexRows = Pick<TrailIndexData, 'rows' | 'strings' | 'columns'>;

/**
 * The sidecar index of one trail file built as its lines are written (no line is read back): one
 * row per line, appended in file order. About 150 bytes a row plus the distinct strings.
 */
export class TrailIndexBuilder {
  #rows = 0;
  #columns = allocColumns(0);
  #strings: string[] = [];
  #ids = new Map<string, number>();
  readonly #intern = (s: string): number => {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(s);
      this.#ids.set(s, id);
    }
    return id;
  };

  /** Rows so far (the lines written since the last {@link take}). */
  get rows(): number {
    return this.#rows;
  }

  /** Adds the row of the line at `offset` (`length` bytes without its newline) holding `envelope`. */
  push(envelope: Envelope, offset: number, length: number): void {
    if (this.#rows === this.#columns.ts.length) this.#grow(Math.max(1024, this.#rows * 2));
    setTrailIndexRow(this.#columns, this.#rows++, envelope, offset, length, this.#intern);
  }

  /** The rows so far, and a fresh start for the next file (what it hands out keeps its own arrays). */
  take(): TrailIndexRows {
    const columns: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
      const width = kind === 'b16' ? 16 : 1;
      columns[name] = this.#columns[name as TrailIndexColumnName].subarray(0, this.#rows * width);
    }
    const out = { rows: this.#rows, strings: this.#strings, columns: columns as TrailIndexColumns };
    this.#rows = 0;
    this.#columns = allocColumns(0);
    this.#strings = [];
    this.#ids = new Map();
    return out;
  }

  #grow(capacity: number): void {
    const next = allocColumns(capacity);
    for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
      const n = name as TrailIndexColumnName;
      const width = kind === 'b16' ? 16 : 1;
      (next[n] as Uint8Array).set((this.#columns[n] as Uint8Array).subarray(0, this.#rows * width));
    }
    this.#columns = next;
  }
}
