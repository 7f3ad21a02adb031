import { stat } from 'node:fs/promises';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { exportPages } from '../export-format.js';
import { sleep } from '../internal/sleep.js';
import { computeStats } from '../internal/stats-accumulator.js';
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
  Stats,
  StatsQuery,
  StoredEvent,
  TailedEvent,
  TailOptions,
  TraceTree,
} from '../read-store.js';
import { notFound, ReadStoreError } from '../read-store-error.js';
import { buildTraceTree, MAX_TRACE_EVENTS } from '../trace-tree.js';
import { eventPredicate } from './event-predicate.js';
import { candidates, isAfter, listIndexed, storedOf } from './jsonl-events.js';
import { JsonlIndex, runEvents } from './jsonl-index.js';
import { listRunsIndexed, listSessionsIndexed } from './jsonl-lists.js';
import { runSummary, sessionSummary } from './jsonl-summaries.js';

/**
 * Opens a JSONL trail (a directory written by `@obs/sink-jsonl`, or one trail file) for reading.
 * The first call reads the whole trail into an in-memory index; later calls read only what was
 * appended. Throws `ReadStoreError` `STORE_UNAVAILABLE` when the path cannot be read.
 */
export async function openJsonlReadStore(path: string): Promise<ReadStore> {
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
  const store = new JsonlReadStore(p);
  await store.refresh();
  return store;
}

class JsonlReadStore implements ReadStore {
  readonly kind = 'jsonl' as const;
  readonly #index: JsonlIndex;
  #closed = false;

  constructor(path: string) {
    this.#index = new JsonlIndex(path);
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
    const e = (await this.refresh()).byId.get(id);
    if (e === undefined) throw notFound('event', id);
    return storedOf(e);
  }

  async getChildren(eventId: string, limit?: number): Promise<StoredEvent[]> {
    const id = parseInput(IdSchema, eventId, 'event_id');
    const n = parseInput(ChildrenLimitSchema, limit, 'limit');
    return candidates(await this.refresh(), { parent_event_id: id })
      .slice(0, n)
      .map(storedOf);
  }

  async getTraceTree(runId: string): Promise<TraceTree> {
    const id = parseInput(IdSchema, runId, 'run_id');
    const run = (await this.refresh()).runs.get(id);
    if (run === undefined) throw notFound('run', id);
    const events = runEvents(run);
    const tree = buildTraceTree(
      id,
      events.slice(0, MAX_TRACE_EVENTS).map((e) => storedOf(e).envelope),
    );
    if (events.length > MAX_TRACE_EVENTS) tree.truncated = true;
    return tree;
  }

  async stats(query: StatsQuery = {}): Promise<Stats> {
    const q = parseInput(StatsQuerySchema, query, 'stats query');
    const index = await this.refresh();
    const matches = eventPredicate(q);
    const events = candidates(index, q).filter(matches);
    return computeStats(events, q.groupBy, q.slowest);
  }

  tail(options: TailOptions = {}): AsyncIterable<TailedEvent> {
    const o = parseInput(TailOptionsSchema, options, 'tail options');
    const since =
      o.since === undefined ? undefined : decodeCursor(o.since, { k: ['t', 'e'], b: 'j' }, 'since');
    const startPos = since?.p;
    const matches = eventPredicate(o.filter);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const index = await self.refresh();
        let next = since === undefined ? index.arrival.length : since.p === undefined ? since.i : 0;
        const position = { ...(startPos ?? index.cursor) };
        while (!o.signal?.aborted && !self.#closed) {
          await self.refresh();
          for (let scanned = 0; next < index.arrival.length; next++) {
            if (++scanned % TAIL_PAGE === 0) {
              // catching up from an old cursor: let timers and I/O run between pages
              await yieldToLoop();
              if (o.signal?.aborted || self.#closed) return;
            }
            const e = index.arrival[next]!;
            if (startPos !== undefined && !isAfter(e, startPos)) continue;
            position[e.stem] = { file: e.file, offset: e.end };
            if (!matches(e)) continue;
            yield { ...storedOf(e), cursor: encodeCursor({ k: 't', b: 'j', i: e.ord, p: { ...position } }) };
            if (o.signal?.aborted) return;
          }
          await sleep(o.intervalMs, o.signal);
        }
      },
    };
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
