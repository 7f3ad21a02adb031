import type { Envelope } from '@obs/core';
import { parseTrailFileName } from '@obs/store-format';
import { type CursorPayload, decodeCursor, encodeCursor } from '../cursor.js';
import type { EventFilter, ParsedEventQuery } from '../query-schemas.js';
import type { Page, StoredEvent } from '../read-store.js';
import { invalidFilter } from '../read-store-error.js';
import { chunkedLoader, type TraceTreeInput, traceTreeColumns } from '../trace-tree.js';
import { asciiContains, eventPredicate, firstAfter } from './event-predicate.js';
import { type JsonlIndex, sortedRows } from './jsonl-index.js';
import { readLines } from './line-reader.js';

/** The canonical lines of rows, read from the trail. */
export function linesOf(index: JsonlIndex, rows: readonly number[]): string[] {
  const c = index.table.columns;
  const f = index.table.file;
  return readLines(
    index.files,
    rows.map((r) => ({ file: f[r]!, offset: c.offset[r]!, length: c.length[r]! })),
  );
}

/** Stored events of rows, read from the trail. */
export function storedOf(index: JsonlIndex, rows: readonly number[]): StoredEvent[] {
  return linesOf(index, rows).map((json) => ({ envelope: JSON.parse(json) as Envelope, json }));
}

/** Tree columns of `rows` (a run's, in trail order); lines are read only for the nodes whose event is read. */
export function treeInput(index: JsonlIndex, rows: readonly number[]): TraceTreeInput {
  const t = index.table;
  const c = t.columns;
  const n = rows.length;
  const input = traceTreeColumns(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const duration = c.duration[r]!;
    input.event_id[i] = t.eventId(r);
    input.parent_event_id[i] = t.parentId(r);
    input.ts[i] = c.ts[r]!;
    input.event_type[i] = t.strings[c.type[r]!]!;
    input.duration_ms[i] = Number.isNaN(duration) ? null : duration;
    input.name[i] = t.strings[c.name[r]!]!;
  }
  const load = chunkedLoader(n, (first, end) =>
    storedOf(index, rows.slice(first, end)).map((e) => e.envelope),
  );
  return { ...input, load };
}

/** The smallest trail-ordered list of live rows that holds every match of `filter`. */
export function candidates(index: JsonlIndex, filter: EventFilter): readonly number[] {
  const t = index.table;
  if (filter.run_id !== undefined) {
    const run = index.runs.get(filter.run_id);
    return run === undefined ? [] : sortedRows(t, run);
  }
  if (filter.parent_event_id !== undefined) {
    const ts = t.columns.ts;
    return t.childrenOf(filter.parent_event_id).sort((a, b) => ts[a]! - ts[b]! || a - b);
  }
  if (filter.session_id !== undefined) {
    const session = index.sessions.get(filter.session_id);
    return session === undefined ? [] : sortedRows(t, session);
  }
  return index.events;
}

const TEXT_BATCH = 256;

/**
 * Rows of `rows` that match `filter`, walked from `start` by `step`, until `want` are found; a
 * `text` filter reads the lines in batches. Returns the rows and, when read, their lines.
 */
export function matching(
  index: JsonlIndex,
  rows: readonly number[],
  filter: EventFilter,
  want = Number.POSITIVE_INFINITY,
  start = 0,
  step: 1 | -1 = 1,
): { rows: number[]; lines: string[] | undefined } {
  const { text, ...rest } = filter;
  const matches = eventPredicate(index.table, rest);
  const contains = text === undefined ? undefined : asciiContains(text);
  const out: number[] = [];
  const lines: string[] = [];
  let batch: number[] = [];
  const flush = () => {
    linesOf(index, batch).forEach((line, k) => {
      if (out.length < want && contains!(line)) {
        out.push(batch[k]!);
        lines.push(line);
      }
    });
    batch = [];
  };
  for (let i = start; i >= 0 && i < rows.length && out.length < want; i += step) {
    const r = rows[i]!;
    if (!matches(r)) continue;
    if (contains === undefined) out.push(r);
    else if (batch.push(r) === TEXT_BATCH) flush();
  }
  if (batch.length > 0) flush();
  return { rows: out, lines: contains === undefined ? undefined : lines };
}

/** A keyset page of a JSONL index, on `(ts, read order)`, with the SQLite backend's semantics. */
export function listIndexed(index: JsonlIndex, query: ParsedEventQuery): Page<StoredEvent> {
  const t = index.table;
  const rows = candidates(index, query);
  const desc = query.order === 'desc';
  let i: number;
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor, { k: 'e', b: 'j' });
    if (c.o !== query.order)
      throw invalidFilter('cursor', 'this cursor belongs to a page of the other order');
    i = desc ? firstAfter(t, rows, c.t!, c.i - 1) - 1 : firstAfter(t, rows, c.t!, c.i);
  } else {
    i = desc ? rows.length - 1 : 0;
  }
  const found = matching(index, rows, query, query.limit + 1, i, desc ? -1 : 1);
  const more = found.rows.length > query.limit;
  const items = found.rows.slice(0, query.limit);
  const last = items[items.length - 1];
  const stored =
    found.lines === undefined
      ? storedOf(index, items)
      : found.lines.slice(0, query.limit).map((json) => ({ envelope: JSON.parse(json) as Envelope, json }));
  return {
    items: stored,
    next_cursor:
      more && last !== undefined
        ? encodeCursor({ k: 'e', b: 'j', t: t.columns.ts[last]!, i: last + 1, o: query.order })
        : null,
  };
}

/** Where a row's line ends in the trail: its stem, its file (name without `.gz`), the byte after it. */
export function placeOf(index: JsonlIndex, row: number): { stem: string; file: string; end: number } {
  const f = index.files[index.table.file[row]!]!;
  const c = index.table.columns;
  return { stem: f.stem, file: f.key, end: c.offset[row]! + c.length[row]! + 1 };
}

/** True when a row lies after trail position `p` (a tail cursor made from another read of the trail). */
export function isAfter(index: JsonlIndex, row: number, p: NonNullable<CursorPayload['p']>): boolean {
  const e = placeOf(index, row);
  const at = p[e.stem];
  if (at === undefined) return true;
  if (at.file === e.file) return e.end > at.offset;
  const order = (key: string) => parseTrailFileName(key)?.order ?? '0';
  return order(e.file) > order(at.file);
}
