import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, EventRecord, type Sink, uuidv7 } from '@obs/core';
import { openSqliteReadStore, type ReadStore, type TraceNode } from '@obs/read-store';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createSqliteSink } from '@obs/sink-sqlite';
import Database from 'better-sqlite3';
import { type BenchRow, type BenchSuite, median } from '../harness.js';
import { llmPayload } from '../workload.js';
import { measureJsonlTrails } from './read-store-jsonl.js';

const T0 = Date.UTC(2026, 0, 1);
const RUNS = 2000;
const BIG_RUN_EVENTS = 10_000;
const OPERATIONS = ['plan', 'retrieve', 'rank', 'answer', 'critique'];

/** Spacing of events: 1M events span about 28 hours (10 events/s), so stats ranges cover days. */
const SPACING_MS = 100;
/** Spacing of the `--scale` store: 10M events over 30 days (a month of traffic, ~3.9 events/s). */
const SCALE_SPACING_MS = 259;
const DAY_MS = 86_400_000;

/** Event `i` of a store of `total` events: every `total / 10 000`th belongs to `run-big` (a nested tree). */
function makeEvent(i: number, total: number, big: string[], spacingMs: number): Envelope {
  const every = Math.floor(total / BIG_RUN_EVENTS);
  const isBig = i % every === 0 && big.length < BIG_RUN_EVENTS;
  const ts = T0 + i * spacingMs;
  const id = uuidv7(ts);
  const parent = isBig && big.length > 0 ? big[Math.floor((big.length - 1) / 4)]! : null;
  if (isBig) big.push(id);
  const kind = i % 10;
  const type = kind < 6 && !isBig ? 'log' : kind === 8 ? 'llm.call' : 'span';
  // one literal per event, no spreads: the fill makes millions of them (`--scale`)
  return {
    schema_version: 1,
    event_id: id,
    event_type: type,
    timestamp: new Date(ts).toISOString(),
    seq: i,
    source: SOURCES[i % 3]!,
    run_id: isBig ? 'run-big' : `run-${1 + (i % (RUNS - 1))}`,
    request_id: null,
    cycle: null,
    session_id: `sess-${(i % (RUNS - 1)) % 500}`,
    turn_number: null,
    parent_event_id: parent,
    audit_level: 'turn',
    status: type === 'log' ? null : type === 'span' && i % 20 === 0 ? 'error' : 'ok',
    duration_ms: type === 'log' ? null : type === 'llm.call' ? 300 + (i % 700) : 1 + (i % 250),
    payload:
      type === 'log'
        ? { level: 'info', message: `step ${i} done` }
        : type === 'llm.call'
          ? llmPayload(i)
          : { operation: OPERATIONS[i % OPERATIONS.length]!, layer: 'agent', component: 'Worker' },
  };
}

const SOURCES = ['agent-0', 'agent-1', 'agent-2'];

/** Where a fill spent its time: building and serializing the events, and each sink's `write` and `close`. */
export interface FillTimes {
  makeMs: number;
  writeMs: number[];
}

/**
 * Writes `total` events through each sink in batches of 20,000 (the bench's setup, not a measured
 * path): each batch is made once and written to every sink. Big batches halve the SQLite sink's
 * CPU per event here (each batch updates up to 2,000 run summaries and the hour and day rollups once).
 */
export async function fill(
  sinks: Sink | readonly Sink[],
  total: number,
  spacingMs = SPACING_MS,
): Promise<FillTimes> {
  const all = Array.isArray(sinks) ? sinks : [sinks as Sink];
  const big: string[] = [];
  const BATCH = 20_000;
  const times: FillTimes = { makeMs: 0, writeMs: all.map(() => 0) };
  for (let i = 0; i < total; i += BATCH) {
    let t = performance.now();
    const batch: EventRecord[] = [];
    for (let j = i; j < Math.min(total, i + BATCH); j++) {
      const record = new EventRecord(makeEvent(j, total, big, spacingMs));
      void record.json;
      batch.push(record);
    }
    times.makeMs += performance.now() - t;
    for (const [k, sink] of all.entries()) {
      t = performance.now();
      await sink.write(batch);
      times.writeMs[k]! += performance.now() - t;
    }
  }
  for (const [k, sink] of all.entries()) {
    const t = performance.now();
    await sink.close();
    times.writeMs[k]! += performance.now() - t;
  }
  return times;
}

/** Median ms of `reps` calls after one warm-up call (skipped with `warm: false`). */
async function time(reps: number, fn: () => Promise<unknown> | unknown, warm = true): Promise<number> {
  if (warm) await fn();
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  return median(runs);
}

/** Rows a tree view shows at once: the bench reads their events, as a viewer does. */
const SHOWN_ROWS = 100;

/** Reads the event of the first `n` nodes in pre-order (what a view of the tree shows). */
function readEvents(roots: readonly TraceNode[], n: number): void {
  const stack = [...roots].reverse();
  for (let i = 0; i < n && stack.length > 0; i++) {
    const node = stack.pop()!;
    if (node.event.event_id.length === 0) throw new Error('an event without an id');
    for (let c = node.children.length - 1; c >= 0; c--) stack.push(node.children[c]!);
  }
}

/** The read paths measured on every backend: a run's first page, a 10k-event tree, stats, the runs list. */
export async function measureStore(
  store: ReadStore,
  label: string,
  reps: number,
  targets: Partial<Record<'page' | 'tree' | 'runs' | 'stats', string>>,
  total: number,
): Promise<BenchRow[]> {
  const run = 'run-777';
  const page = await time(reps, () => store.listEvents({ run_id: run, limit: 100 }));
  const treeOf = (shown: number) => async () => {
    const t = await store.getTraceTree('run-big');
    if (t.event_count !== BIG_RUN_EVENTS) throw new Error(`tree has ${t.event_count} events`);
    readEvents(t.roots, shown);
  };
  const tree = await time(Math.max(3, reps / 4), treeOf(SHOWN_ROWS));
  const treeAll = await time(Math.max(3, reps / 4), treeOf(BIG_RUN_EVENTS));
  const stats = await time(3, () => store.stats({ groupBy: 'operation' }), false);
  const last = await store.listEvents({ order: 'desc', limit: 1 });
  const from = new Date(Date.parse(last.items[0]!.envelope.timestamp) - DAY_MS).toISOString();
  const stats24h = await time(3, () => store.stats({ from, groupBy: 'operation' }), false);
  const runs = await time(reps, () => store.listRuns({ limit: 50 }));
  const n = `${label} ${total.toLocaleString('en-US')} events`;
  return [
    {
      suite: 'read-store',
      case: `${n}: one run's events, first page of 100`,
      value: page,
      unit: 'ms',
      target: targets.page,
    },
    {
      suite: 'read-store',
      case: `${n}: trace tree of a 10k-event run (the first ${SHOWN_ROWS} nodes' events read)`,
      value: tree,
      unit: 'ms',
      target: targets.tree,
      peer: { name: "every node's event read", value: treeAll },
      ratio: treeAll / tree,
    },
    {
      suite: 'read-store',
      case: `${n}: stats over all events (groupBy operation)`,
      value: stats,
      unit: 'ms',
      target: targets.stats,
    },
    {
      suite: 'read-store',
      case: `${n}: stats over the last 24 h, unaligned (groupBy operation)`,
      value: stats24h,
      unit: 'ms',
      target: targets.stats,
    },
    {
      suite: 'read-store',
      case: `${n}: list runs, first page of 50`,
      value: runs,
      unit: 'ms',
      target: targets.runs,
    },
  ];
}

/**
 * A month of traffic: 10M events written through `createSqliteSink` (rollups on), its read paths, and
 * bytes on disk per event next to a JSONL trail of the same events.
 */
async function scaleRun(dir: string): Promise<BenchRow[]> {
  const total = scaleEvents();
  // the month's density at any size: a smaller store spans fewer days
  const spacing = SCALE_SPACING_MS;
  const path = join(dir, 'month.db');
  const trail = join(dir, 'month-trail');
  const t = performance.now();
  progress(`--scale: writing ${total.toLocaleString('en-US')} events through the SQLite and JSONL sinks…`);
  const times = await fill(
    [
      createSqliteSink({ path, synchronous: 'OFF', cacheSizeKiB: 262_144 }),
      createJsonlSink({ dir: trail, rotation: { maxBytes: 64 * 1024 * 1024 } }),
    ],
    total,
    spacing,
  );
  const [fillMs, jsonlMs] = times.writeMs as [number, number];
  progress(
    `--scale: filled in ${((performance.now() - t) / 1000).toFixed(0)} s (events ${(times.makeMs / 1000).toFixed(0)} s, SQLite ${(fillMs / 1000).toFixed(0)} s, JSONL ${(jsonlMs / 1000).toFixed(0)} s); reading…`,
  );
  const sqlite = openSqliteReadStore(path);
  const rows = await measureStore(
    sqlite,
    'SQLite (scale)',
    10,
    { page: '< 50 ms', tree: '< 50 ms', runs: '< 50 ms', stats: '< 50 ms' },
    total,
  );
  await sqlite.close();
  const sqliteBytes = bytesUnder(dir, (name) => name.startsWith('month.db'));
  // the trail and its hash chain, as before the sink wrote sidecar indexes (counted apart)
  const jsonlBytes = bytesUnder(trail, (name) => !name.endsWith('.idx'));
  const indexBytes = bytesUnder(trail, (name) => name.endsWith('.idx'));
  rows.push(
    {
      suite: 'read-store',
      case: `SQLite (scale) ${total.toLocaleString('en-US')} events: bytes on disk per event (db + wal)`,
      value: sqliteBytes / total,
      unit: 'B/event',
      peer: { name: 'JSONL trail of the same events', value: jsonlBytes / total },
      note: `the JSONL trail's sidecar indexes add ${(indexBytes / total).toFixed(0)} B/event`,
      ratio: jsonlBytes / sqliteBytes,
    },
    {
      suite: 'read-store',
      case: 'SQLite (scale): store written through createSqliteSink, rollups on',
      value: total / (fillMs / 1000),
      unit: 'events/s',
      peer: { name: 'JSONL sink, same events', value: total / (jsonlMs / 1000) },
      note: `setup, not a read path: the SQLite sink's writes took ${(fillMs / 1000).toFixed(0)} s, the JSONL sink's ${(jsonlMs / 1000).toFixed(0)} s, making the events (once, for both) ${(times.makeMs / 1000).toFixed(0)} s`,
    },
  );
  return rows;
}

/** Events of the `--scale` store: `OBS_BENCH_SCALE_EVENTS` (to try it smaller), else 10M. */
function scaleEvents(): number {
  const raw = process.env['OBS_BENCH_SCALE_EVENTS'];
  if (raw === undefined || raw === '') return 10_000_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100_000) {
    throw new Error(`OBS_BENCH_SCALE_EVENTS must be an integer of at least 100000, got "${raw}"`);
  }
  return n;
}

/** A progress line on stderr (a `--scale` run takes minutes). */
function progress(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** Total size of the files directly in `dir` whose name passes `keep`. */
function bytesUnder(dir: string, keep: (name: string) => boolean): number {
  let n = 0;
  for (const name of readdirSync(dir)) if (keep(name)) n += statSync(join(dir, name)).size;
  return n;
}

/** Read paths of `@obs/read-store` on a 1M-event SQLite store over 2k runs and 100k- and 1M-event JSONL trails. */
export const readStoreSuite: BenchSuite = {
  name: 'read-store',
  async run({ quick, scale }) {
    if (scale) {
      const dir = mkdtempSync(join(tmpdir(), 'obs-bench-read-scale-'));
      try {
        return await scaleRun(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-read-store-'));
    const rows: BenchRow[] = [];
    try {
      const sqliteTotal = quick ? 200_000 : 1_000_000;
      const path = join(dir, 'obs.db');
      const t = performance.now();
      await fill(createSqliteSink({ path, synchronous: 'OFF', cacheSizeKiB: 262_144 }), sqliteTotal);
      const fillMs = performance.now() - t;
      const sqlite = openSqliteReadStore(path);
      rows.push(
        ...(await measureStore(
          sqlite,
          'SQLite',
          quick ? 10 : 20,
          { page: '< 10 ms', tree: '< 30 ms', runs: '< 20 ms', stats: '< 20 ms' },
          sqliteTotal,
        )),
      );
      await sqlite.close();
      const db = new Database(path, { readonly: true });
      const raw = db.prepare(
        'SELECT json FROM event_rows WHERE run_key = (SELECT run_key FROM runs WHERE run_id = ?) ORDER BY ts, id LIMIT 101',
      );
      const rawPage = await time(quick ? 10 : 20, () =>
        raw.all('run-777').map((r) => JSON.parse((r as { json: string }).json)),
      );
      db.close();
      const first = rows[0]!;
      first.peer = { name: 'hand-written better-sqlite3 query', value: rawPage };
      first.ratio = rawPage / first.value;
      rows.push({
        suite: 'read-store',
        case: `SQLite: bench store written through createSqliteSink`,
        value: sqliteTotal / (fillMs / 1000),
        unit: 'events/s',
        note: 'setup, not a read path',
      });

      rows.push(...(await measureJsonlTrails(quick)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
