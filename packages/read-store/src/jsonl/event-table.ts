import type { Envelope } from '@obs/core';
import {
  allocColumn,
  isIndexUuid,
  setTrailIndexRow,
  TRAIL_INDEX_COLUMNS,
  type TrailIndexColumnName,
  type TrailIndexColumns,
  type TrailIndexData,
  uuidBytes,
} from '@obs/store-format';

type Columns = TrailIndexColumns;
/** Any column, for loops over all of them (each is copied into one of its own kind). */
type AnyColumn = Uint8Array;
const col = (c: Columns, name: string) => c[name as TrailIndexColumnName] as AnyColumn;

function remapInto(into: Int32Array, from: Int32Array, first: number, remap: Int32Array): void {
  for (let i = 0; i < from.length; i++) {
    const v = from[i]!;
    into[first + i] = v < 0 ? v : remap[v]!;
  }
}

/**
 * Every line of a JSONL trail as columns (what the read paths filter, sort and count on, and where
 * the line is), ~150 bytes a row instead of the line and an object: the JSON itself stays on disk.
 * Rows are in read order; a row whose `event_id` an earlier row has is kept but not `live`, so a
 * file's rows always equal its lines (what its sidecar index stores).
 */
export class EventTable {
  rows = 0;
  readonly strings: string[] = [];
  /** The trail file (an index into the reader's file list) of each row; 1 when live. */
  file = new Uint32Array(0);
  live = new Uint8Array(0);
  columns: Columns = EventTable.#alloc(0);
  readonly #ids = new Map<string, number>();
  #slots = new Int32Array(1024);

  static #alloc(rows: number): Columns {
    const out: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) out[name] = allocColumn(kind, rows);
    return out as Columns;
  }

  readonly #intern = (s: string): number => this.intern(s);

  /** The dictionary index of `s`, added when new. */
  intern(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.#ids.set(s, id);
    }
    return id;
  }

  /** The dictionary index of `s`, -1 when no row has it. */
  lookup(s: string): number {
    return this.#ids.get(s) ?? -1;
  }

  /** The string of a string column at `row`, null for none. */
  text(name: 'session' | 'layer' | 'component' | 'model' | 'outcome', row: number): string | null {
    const id = this.columns[name][row]!;
    return id < 0 ? null : this.strings[id]!;
  }

  /** `event_id` of a row. */
  eventId(row: number): string {
    const h = Buffer.from(this.columns.id.buffer, row * 16, 16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** The live row with this `event_id`, -1 when none. */
  find(id: string): number {
    if (!isIndexUuid(id)) return -1;
    const probe = new Uint8Array(16);
    uuidBytes(id, probe, 0);
    return this.#find(probe, 0);
  }

  /** Appends a row for an envelope read at `offset` (`length` bytes) of trail file `file`. */
  push(e: Envelope, file: number, offset: number, length: number): void {
    const r = this.#grow(1);
    setTrailIndexRow(this.columns, r, e, offset, length, this.#intern);
    this.#seal(r, file);
  }

  /** Makes room for `n` more rows at once (before appending several sidecar indexes). */
  reserve(n: number): void {
    const rows = this.rows;
    this.#grow(n);
    this.rows = rows;
  }

  /** Appends the rows of a sidecar index of trail file `file`. */
  pushIndex(data: TrailIndexData, file: number): void {
    const first = this.#grow(data.rows);
    const remap = Int32Array.from(data.strings, (s) => this.intern(s));
    for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
      if (kind === 'i32') {
        const n = name as TrailIndexColumnName;
        remapInto(this.columns[n] as Int32Array, data.columns[n] as Int32Array, first, remap);
      } else col(this.columns, name).set(col(data.columns, name), first * (kind === 'b16' ? 16 : 1));
    }
    const kinds = this.columns.parent_kind;
    const parents = new DataView(this.columns.parent.buffer);
    for (let i = 0; i < data.rows; i++) {
      const r = first + i;
      if (kinds[r] === 2) parents.setInt32(r * 16, remap[parents.getInt32(r * 16, true)]!, true);
      this.#seal(r, file);
    }
  }

  /** The sidecar index contents of trail file `file` (its rows, with a dictionary of their strings). */
  extract(file: number, meta: Omit<TrailIndexData, 'rows' | 'strings' | 'columns'>): TrailIndexData {
    const rows: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.file[r] === file) rows.push(r);
    const first = rows[0] ?? 0;
    // a file read in one go is one range of rows: its number columns are views, not copies
    const range = rows.length === 0 || rows[rows.length - 1]! - first === rows.length - 1;
    const columns = {} as Record<string, Uint8Array>;
    const local = new Map<number, number>();
    const strings: string[] = [];
    const map = (v: number) => {
      if (v < 0) return v;
      let l = local.get(v);
      if (l === undefined) {
        l = strings.length;
        strings.push(this.strings[v]!);
        local.set(v, l);
      }
      return l;
    };
    for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
      const from = col(this.columns, name);
      const width = kind === 'b16' ? 16 : 1;
      if (range && kind !== 'i32' && name !== 'parent') {
        columns[name] = from.subarray(first * width, (first + rows.length) * width);
        continue;
      }
      const into = allocColumn(kind, rows.length) as Uint8Array;
      rows.forEach((r, i) => {
        if (kind === 'b16') into.set(from.subarray(r * 16, r * 16 + 16), i * 16);
        else into[i] = kind === 'i32' ? map(from[r]!) : from[r]!;
      });
      columns[name] = into;
    }
    const out = columns as unknown as Columns;
    const parents = new DataView(out.parent.buffer);
    rows.forEach((_, i) => {
      if (out.parent_kind[i] === 2) parents.setInt32(i * 16, map(parents.getInt32(i * 16, true)), true);
    });
    return { ...meta, rows: rows.length, strings, columns: out };
  }

  /** Rows whose `parent_event_id` is `id`, in read order. */
  childrenOf(id: string): number[] {
    const out: number[] = [];
    const c = this.columns;
    if (isIndexUuid(id)) {
      const needle = new Uint8Array(16);
      uuidBytes(id, needle, 0);
      const hay = Buffer.from(c.parent.buffer, 0, this.rows * 16);
      for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) {
        if (at % 16 === 0 && c.parent_kind[at / 16] === 1 && this.live[at / 16]) out.push(at / 16);
      }
      return out;
    }
    const want = this.lookup(id);
    if (want < 0) return out;
    const parents = new DataView(c.parent.buffer);
    for (let r = 0; r < this.rows; r++)
      if (c.parent_kind[r] === 2 && this.live[r] && parents.getInt32(r * 16, true) === want) out.push(r);
    return out;
  }

  /** `parent_event_id` of a row. */
  parentId(row: number): string | null {
    const kind = this.columns.parent_kind[row];
    if (kind === 0) return null;
    const at = row * 16;
    if (kind === 2) return this.strings[new DataView(this.columns.parent.buffer).getInt32(at, true)]!;
    const h = Buffer.from(this.columns.parent.buffer, at, 16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  #seal(r: number, file: number): void {
    this.file[r] = file;
    const duplicate = this.#find(this.columns.id, r * 16) !== -1;
    this.live[r] = duplicate ? 0 : 1;
    if (!duplicate) this.#insert(r);
  }

  #grow(n: number): number {
    const first = this.rows;
    const need = first + n;
    if (need > this.file.length) {
      const cap = Math.max(need, this.file.length * 2, 1024);
      const columns = EventTable.#alloc(cap);
      for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
        const from = col(this.columns, name);
        col(columns, name).set(from.subarray(0, first * (kind === 'b16' ? 16 : 1)));
      }
      this.columns = columns;
      const file = new Uint32Array(cap);
      file.set(this.file.subarray(0, first));
      this.file = file;
      const live = new Uint8Array(cap);
      live.set(this.live.subarray(0, first));
      this.live = live;
    }
    this.rows = need;
    if (need * 2 > this.#slots.length) this.#rehash(need * 4);
    return first;
  }

  /** All 16 bytes mixed (murmur3's finalizer): ids need not be random where they are probed. */
  #hash(bytes: Uint8Array, at: number): number {
    let h = 0;
    for (let k = 0; k < 16; k += 4) {
      const word =
        bytes[at + k]! | (bytes[at + k + 1]! << 8) | (bytes[at + k + 2]! << 16) | (bytes[at + k + 3]! << 24);
      h = Math.imul(h ^ word, 0x9e3779b1);
      h = (h << 13) | (h >>> 19);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  #find(bytes: Uint8Array, at: number): number {
    const ids = this.columns.id;
    const mask = this.#slots.length - 1;
    for (let s = this.#hash(bytes, at) & mask; ; s = (s + 1) & mask) {
      const r = this.#slots[s]! - 1;
      if (r < 0) return -1;
      let same = true;
      for (let k = 0; k < 16 && same; k++) same = ids[r * 16 + k] === bytes[at + k];
      if (same) return r;
    }
  }

  #insert(r: number): void {
    const mask = this.#slots.length - 1;
    let s = this.#hash(this.columns.id, r * 16) & mask;
    while (this.#slots[s] !== 0) s = (s + 1) & mask;
    this.#slots[s] = r + 1;
  }

  #rehash(size: number): void {
    let cap = 1024;
    while (cap < size) cap *= 2;
    const old = this.#slots;
    this.#slots = new Int32Array(cap);
    for (const slot of old) if (slot !== 0) this.#insert(slot - 1);
  }
}
