import { stat } from 'node:fs/promises';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { exportPages } from '../export-format.js';
import { sleep } from '../internal/sleep.js';
import { TAIL_PAGE, yieldToLoop } from '../internal/yield-to-loop.js';
import {
  ChildrenLimitSchema,
  EventQuerySchema,
  ExportFormatSchema,
  ExportQuerySchema,
  IdSchema,
  parseInput,
  RunQuerySchema,
  SessionQuerySchema,
  StatsQuerySchema,
  TailOptionsSchema,
} from '../query-schemas.js';
import type {
  EventQuery,
  ExportFormat,
  Page,
  ReadStore,
  RunQuery,
  RunSummary,
  SessionQuery,
  SessionSummary,
  SkippedLines,
  Stats,
  StatsQuery,
  StoredEvent,
  TailedEvent,
  TailOptions,
  TraceTree,
} from '../read-store.js';
import { notFound, ReadStoreError } from '../read-store-error.js';
import { buildTraceTreeFrom, MAX_TRACE_EVENTS } from '../trace-tree.js';
import { eventPredicate } from './event-predicate.js';
import { candidates, isAfter, listIndexed, matching, placeOf, storedOf, treeInput } from './jsonl-events.js';
import { JsonlIndex, sortedRows } from './jsonl-index.js';
import { listRunsIndexed, listSessionsIndexed } from './jsonl-lists.js';
import { jsonlStats } from './jsonl-stats.js';
import { runSummary, sessionSummary } from './jsonl-summaries.js';
import { trailEnd } from './trail-end.js';

/** Options of {@link openJsonlReadStore}. */
export interface OpenJsonlReadStoreOptions {
  /**
   * Use sidecar index files (`<file>.idx`, default true): a file's index is used while it still
   * matches the file (same inode, size, mtime and hashes), and written next to it when the
   * directory is writable, so the next open reads columns instead of every line.
   */
  sidecar?: boolean;
}

/**
 * Opens a JSONL trail (a directory written by `@obs/sink-jsonl`, or one trail file) for reading.
 * Opening indexes the trail (from the sidecar index files where they are current) as columns in
 * memory, the JSON lines staying on disk; later calls read only what was appended. Throws
 * `ReadStoreError` `STORE_UNAVAILABLE` when the path cannot be read.
 */
export async function openJsonlReadStore(
  path: string,
  options: OpenJsonlReadStoreOptions = {},
): Promise<ReadStore> {
  const p = parseInput(IdSchema.max(4096), path, 'path');
  try {
    await stat(p);
  } catch (error) {
    throw new ReadStoreError(
      'STORE_UNAVAILABLE',
      `cannot open the JSONL trail "${p}": ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const store = new JsonlReadStore(p, options);
  await store.refresh();
  return store;
}

class JsonlReadStore implements ReadStore {
  readonly kind = 'jsonl' as const;
  readonly #index: JsonlIndex;
  readonly #path: string;
  #closed = false;

  constructor(path: string, options: OpenJsonlReadStoreOptions) {
    this.#path = path;
    this.#index = new JsonlIndex(path, options);
  }

  async refresh(): Promise<JsonlIndex> {
    if (this.#closed) throw new ReadStoreError('STORE_UNAVAILABLE', 'the read store is closed');
    try {
      await this.#index.refresh();
    } catch (error) {
      throw new ReadStoreError(
        'STORE_UNAVAILABLE',
        `reading the JSONL trail failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return this.#index;
  }

  async listRuns(query: RunQuery = {}): Promise<Page<RunSummary>> {
    const q = parseInput(RunQuerySchema, query, 'run query');
    return listRunsIndexed(await this.refresh(), q);
  }

  async getRun(runId: string): Promise<RunSummary> {
    const id = parseInput(IdSchema, runId, 'run_id');
    const run = (await this.refresh()).runs.get(id);
    if (run === undefined) throw notFound('run', id);
    return runSummary(run);
  }

  async listSessions(query: SessionQuery = {}): Promise<Page<SessionSummary>> {
    const q = parseInput(SessionQuerySchema, query, 'session query');
    return listSessionsIndexed(await this.refresh(), q);
  }

  async getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    const id = parseInput(IdSchema, sessionId, 'session_id');
    const index = await this.refresh();
    const session = index.sessions.get(id);
    if (session === undefined) throw notFound('session', id);
    const runs = [...session.runs]
      .map((r) => index.runs.get(r)!)
      .sort((a, b) => a.first_ts - b.first_ts || a.ord - b.ord)
      .map(runSummary);
    return { ...sessionSummary(session, runs.length), runs };
  }

  async listEvents(query: EventQuery = {}): Promise<Page<StoredEvent>> {
    const q = parseInput(EventQuerySchema, query, 'event query');
    return listIndexed(await this.refresh(), q);
  }

  async getEvent(eventId: string): Promise<StoredEvent> {
    const id = parseInput(IdSchema, eventId, 'event_id');
    const index = await this.refresh();
    const row = index.table.find(id);
    if (row < 0) throw notFound('event', id);
    return storedOf(index, [row])[0]!;
  }

  async getChildren(eventId: string, limit?: number): Promise<StoredEvent[]> {
    const id = parseInput(IdSchema, eventId, 'event_id');
    const n = parseInput(ChildrenLimitSchema, limit, 'limit');
    const index = await this.refresh();
    return storedOf(index, candidates(index, { parent_event_id: id }).slice(0, n));
  }

  async getTraceTree(runId: string): Promise<TraceTree> {
    const id = parseInput(IdSchema, runId, 'run_id');
    const index = await this.refresh();
    const run = index.runs.get(id);
    if (run === undefined) throw notFound('run', id);
    const rows = sortedRows(index.table, run);
    const tree = buildTraceTreeFrom(id, treeInput(index, rows.slice(0, MAX_TRACE_EVENTS)));
    if (rows.length > MAX_TRACE_EVENTS) tree.truncated = true;
    return tree;
  }

  async stats(query: StatsQuery = {}): Promise<Stats> {
    const q = parseInput(StatsQuerySchema, query, 'stats query');
    const index = await this.refresh();
    return jsonlStats(index, matching(index, candidates(index, q), q).rows, q.groupBy, q.slowest);
  }

  tail(options: TailOptions = {}): AsyncIterable<TailedEvent> {
    const o = parseInput(TailOptionsSchema, options, 'tail options');
    const since =
      o.since === undefined ? undefined : decodeCursor(o.since, { k: ['t', 'e'], b: 'j' }, 'since');
    const index = this.#index;
    // without `since`, the tail starts where the trail ends now, not at the first refresh
    const startPos = since === undefined ? this.#trailEnd() : since.p;
    let next = since === undefined ? index.table.rows : since.p === undefined ? since.i : 0;
    const { text, ...rest } = o.filter;
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const position = { ...(startPos ?? index.cursor) };
        while (!o.signal?.aborted && !self.#closed) {
          await self.refresh();
          const t = index.table;
          const matches = eventPredicate(t, rest);
          while (next < t.rows) {
            const upTo = Math.min(t.rows, next + TAIL_PAGE);
            const page: number[] = [];
            const cursors: string[] = [];
            for (; next < upTo; next++) {
              if (!t.live[next] || (startPos !== undefined && !isAfter(index, next, startPos))) continue;
              const { stem, file, end } = placeOf(index, next);
              position[stem] = { file, offset: end };
              if (!matches(next)) continue;
              page.push(next);
              cursors.push(encodeCursor({ k: 't', b: 'j', i: next + 1, p: { ...position } }));
            }
            const found = text === undefined ? undefined : matching(index, page, { text }).rows;
            const stored = storedOf(index, found ?? page);
            for (let k = 0, j = 0; k < page.length; k++) {
              if (found !== undefined && found[j] !== page[k]) continue;
              yield { ...stored[j++]!, cursor: cursors[k]! };
              if (o.signal?.aborted) return;
            }
            if (next < t.rows) {
              // catching up from an old cursor: let timers and I/O run between pages
              await yieldToLoop();
              if (o.signal?.aborted || self.#closed) return;
            }
          }
          await sleep(o.intervalMs, o.signal);
        }
      },
    };
  }

  #trailEnd() {
    try {
      return trailEnd(this.#path);
    } catch (error) {
      throw new ReadStoreError(
        'STORE_UNAVAILABLE',
        `reading the JSONL trail failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  skippedLines(): SkippedLines {
    return this.#index.skipped();
  }

  exportEvents(query: Omit<EventQuery, 'cursor' | 'limit'>, format: ExportFormat): AsyncIterable<string> {
    parseInput(ExportQuerySchema, query, 'export query');
    const f = parseInput(ExportFormatSchema, format, 'format');
    return exportPages(
      (cursor) => this.listEvents({ ...query, limit: 1000, ...(cursor ? { cursor } : {}) }),
      f,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
