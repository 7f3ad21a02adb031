import { basename } from 'node:path';
import { type JsonlCursor, parseTrailFileName, readJsonlEntries } from '@obs/store-format';
import { byTrailOrder, type IndexedEvent, indexEvent } from './indexed-event.js';
import { addToRun, addToSession, type RunAcc, type SessionAcc } from './jsonl-summaries.js';

/**
 * An in-memory index of a JSONL trail, built by one read and extended from the reader's cursor on
 * each `refresh` (only appended lines are read). A re-delivered `event_id` is kept once, as in SQLite.
 * Corrupt and torn lines are skipped and counted in `corrupt` (a live torn last line waits for its end).
 */
export class JsonlIndex {
  /** Every event in trail order `(ts, ord)`. */
  readonly events: IndexedEvent[] = [];
  /** Every event in read order: `arrival[ord - 1]`. */
  readonly arrival: IndexedEvent[] = [];
  readonly byId = new Map<string, IndexedEvent>();
  readonly byParent = new Map<string, IndexedEvent[]>();
  readonly runs = new Map<string, RunAcc>();
  readonly sessions = new Map<string, SessionAcc>();
  corrupt = 0;
  readonly #path: string;
  #cursor: JsonlCursor = {};
  #refreshing: Promise<void> | undefined;
  readonly #stems = new Map<string, { stem: string; key: string }>();

  constructor(path: string) {
    this.#path = path;
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
    return { ...this.#cursor };
  }

  async #read(): Promise<void> {
    const reader = readJsonlEntries(this.#path, { from: this.#cursor, tail: true, maxIssues: 0 });
    const before = this.events.length;
    let inOrder = true;
    let last = this.events[before - 1];
    for await (const entry of reader) {
      const envelope = entry.envelope;
      if (this.byId.has(envelope.event_id)) continue;
      const { stem, key } = this.#stemOf(entry.file);
      const at = reader.cursor[stem];
      const e = indexEvent(envelope, entry.json, this.arrival.length + 1, {
        stem,
        file: at?.file ?? key,
        end: at?.offset ?? entry.offset,
      });
      this.arrival.push(e);
      this.events.push(e);
      if (last !== undefined && byTrailOrder(last, e) > 0) inOrder = false;
      last = e;
      this.byId.set(e.event_id, e);
      if (e.parent_event_id !== null) {
        const siblings = this.byParent.get(e.parent_event_id);
        if (siblings === undefined) this.byParent.set(e.parent_event_id, [e]);
        else siblings.push(e);
      }
      addToRun(this.runs, e, envelope);
      addToSession(this.sessions, e, envelope);
      const run = this.runs.get(e.run_id)!;
      if (run.session_id !== null) this.sessions.get(run.session_id)?.runs.add(run.run_id);
    }
    if (!inOrder) this.events.sort(byTrailOrder);
    this.#cursor = reader.cursor;
    this.corrupt += reader.report.corrupt;
  }

  #stemOf(path: string): { stem: string; key: string } {
    let known = this.#stems.get(path);
    if (known === undefined) {
      const name = basename(path);
      const parsed = parseTrailFileName(name);
      known = parsed ? { stem: parsed.stem, key: parsed.key } : { stem: name, key: name };
      this.#stems.set(path, known);
    }
    return known;
  }
}

/** A run's events in trail order. */
export function runEvents(run: RunAcc): IndexedEvent[] {
  if (!run.sorted) {
    run.events.sort(byTrailOrder);
    run.sorted = true;
  }
  return run.events;
}
