import type { Envelope } from '@obs/core';
import {
  applyToRunSummary,
  applyToSessionSummary,
  coarsenRollups,
  emptyRunSummary,
  emptySessionSummary,
  foldIntoRollups,
  postgresEventValues,
  ROLLUP_TIERS_MS,
  type RollupDeltaMap,
  rollupDimensionsKey,
  uuidv7Ms,
} from '@obs/store-format';
import { CopyBuffer, copyRow } from './copy-text.js';
import { type RunDelta, runParams, type SessionDelta, sessionParams } from './summary-upsert.js';

/** What the host needs of an event to prepare it: an `EventRecord` fits. */
export interface StoredEvent {
  readonly envelope: Envelope;
  readonly json: string;
}

const DAY_MS = 86_400_000;

/** What `postMessage` moves instead of copying: the COPY text's buffer. */
export function transferOf(batch: PreparedBatch): ArrayBuffer[] {
  return [batch.copy.buffer as ArrayBuffer];
}

/** The rollup columns of {@link ROLLUP_DIMENSIONS} in `stats_rollups`. */
export const ROLLUP_DIMENSIONS = [
  'source',
  'event_type',
  'operation',
  'status',
  'model',
  'layer',
  'component',
] as const;
/** The additive rollup measures. */
export const ROLLUP_MEASURES = [
  'event_count',
  'error_count',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
] as const;

/** A batch's stats-rollup rows at every tier, one array per column, one entry per row. */
export interface RollupColumns {
  width: number[];
  bucket: number[];
  dims: string[];
  dimensions: (string | null)[][];
  measures: number[][];
  first: number[];
  last: number[];
  durationMax: (number | null)[];
  /** Each row's encoded latency sketch. */
  latency: Uint8Array[];
}

/**
 * A batch made ready for the database by the host, which holds the parsed envelopes: the writer
 * thread gets plain arrays and one `COPY` text (cheap to hand over) and parses nothing.
 */
export interface PreparedBatch {
  /** The ids to write, each once (its first occurrence in the batch), in batch order. */
  ids: string[];
  /** The UTC days (epoch day numbers) of the ids' UUIDv7 times: the partitions they go to. */
  days: number[];
  /**
   * The `COPY` text of the events, in `POSTGRES_EVENT_COLUMNS` order, as UTF-8 in a buffer of its own:
   * moved to the writer thread, not copied (see {@link transferOf}).
   */
  copy: Uint8Array;
  /** The parameters of the run upsert (`runParams`). */
  runs: unknown[][];
  /** The parameters of the session upsert (`sessionParams`). */
  sessions: unknown[][];
  rollups: RollupColumns;
}

/**
 * Prepares the batch's events whose id is not in `skip` (ids known to be stored already): each id
 * once, its `COPY` row, and the run, session and stats-rollup deltas by the rules of `rollup-rules.ts`
 * and `stats-rollup.ts`, in batch order.
 */
export function prepareBatch(batch: readonly StoredEvent[], skip: ReadonlySet<string>): PreparedBatch {
  const seen = new Set<string>();
  const ids: string[] = [];
  const days = new Set<number>();
  const rollups: RollupDeltaMap = new Map();
  const runs = new Map<string, RunDelta>();
  const sessions = new Map<string, SessionDelta>();
  const copy = new CopyBuffer(batch.length * 1024);
  for (const { envelope: e, json } of batch) {
    if (skip.has(e.event_id) || seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    ids.push(e.event_id);
    days.add(Math.floor(uuidv7Ms(e.event_id) / DAY_MS));
    const ts = Date.parse(e.timestamp);
    copy.append(copyRow(postgresEventValues(e, ts, json)));
    foldIntoRollups(rollups, e, ts);
    let run = runs.get(e.run_id);
    if (run === undefined) {
      run = { ...emptyRunSummary(e, ts), run_id: e.run_id };
      runs.set(e.run_id, run);
    }
    applyToRunSummary(run, e, ts);
    if (e.session_id === null) continue;
    let session = sessions.get(e.session_id);
    if (session === undefined) {
      session = { ...emptySessionSummary(ts), session_id: e.session_id };
      sessions.set(e.session_id, session);
    }
    applyToSessionSummary(session, e, ts);
  }
  return {
    ids,
    days: [...days],
    copy: copy.bytes(),
    runs: runParams([...runs.values()]),
    sessions: sessionParams([...sessions.values()]),
    rollups: rollupColumns(rollups),
  };
}

/** The minute deltas and their hour and day coarsenings, as columns. */
function rollupColumns(minutes: RollupDeltaMap): RollupColumns {
  const out: RollupColumns = {
    width: [],
    bucket: [],
    dims: [],
    dimensions: ROLLUP_DIMENSIONS.map(() => []),
    measures: ROLLUP_MEASURES.map(() => []),
    first: [],
    last: [],
    durationMax: [],
    latency: [],
  };
  for (const width of ROLLUP_TIERS_MS) {
    const tier = width === ROLLUP_TIERS_MS[0] ? minutes : coarsenRollups(minutes.values(), width);
    for (const row of tier.values()) {
      out.width.push(width);
      out.bucket.push(row.bucket_ts);
      out.dims.push(rollupDimensionsKey(row));
      ROLLUP_DIMENSIONS.forEach((c, i) => {
        out.dimensions[i]!.push(row[c]);
      });
      ROLLUP_MEASURES.forEach((m, i) => {
        out.measures[i]!.push(row[m]);
      });
      out.first.push(row.first_ts);
      out.last.push(row.last_ts);
      out.durationMax.push(row.duration_max);
      out.latency.push(row.latency.encode());
    }
  }
  return out;
}
