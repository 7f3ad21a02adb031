import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats, StatsGroupBy } from '../read-store.js';
import type { TimelineCounts } from './rollup-range.js';
import { emptyStats } from './stats-accumulator.js';
import {
  addToTally,
  bucketWidth,
  fillTimeline,
  type GroupTally,
  sortedRecord,
  toGroupStats,
} from './stats-math.js';

/** Events counted by source and status, with their first and last `ts`. */
export interface SourceStatusCount {
  source: string;
  status: string | null;
  n: number;
  first: number;
  last: number;
}

/** One event's key, duration, whether its status is `ok`, and whether it is an error. */
export type TallyRow = [key: unknown, duration: number | null, ok: boolean, error: boolean];

/** LLM usage summed over `llm.call` events by the rules of `llmUsage`. */
export interface LlmSums {
  prompt: number;
  completion: number;
  total: number;
  cost: number;
}

/**
 * What raw `stats` need of a database over the query's events (one run or session): each a query
 * of the backend's own SQL, sync or async.
 */
export interface RawStatsReader {
  bySourceStatus(): SourceStatusCount[] | Promise<SourceStatusCount[]>;
  byType(): Map<string, number> | Promise<Map<string, number>>;
  /** Events of type `error` whose status is not `error` (they count as failures too). */
  errorTypedNotFailed(): number | Promise<number>;
  timeline(width: number): TimelineCounts | Promise<TimelineCounts>;
  /** Timed events (`duration_ms` set), keyed by operation (every key counts). */
  timed(): TallyRow[] | Promise<TallyRow[]>;
  slowest(n: number): Stats['slowest'] | Promise<Stats['slowest']>;
  llm(): LlmSums | Promise<LlmSums>;
  /** Every event keyed by `groupBy` (events without a string key are left out). */
  grouped(groupBy: StatsGroupBy): TallyRow[] | Promise<TallyRow[]>;
}

/**
 * `stats` computed from the events themselves, as SQLite and PostgreSQL do for one run or session:
 * counts and sums from the reader's SQL, exact percentiles in JS.
 */
export async function rawStats(reader: RawStatsReader, query: ParsedStatsQuery): Promise<Stats> {
  const counts = await reader.bySourceStatus();
  if (counts.length === 0) return emptyStats();
  const bySource = new Map<string, number>();
  let total = 0;
  let ok = 0;
  let errors = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of counts) {
    bySource.set(c.source, (bySource.get(c.source) ?? 0) + c.n);
    total += c.n;
    if (c.status === 'ok') ok += c.n;
    if (c.status === 'error') errors += c.n;
    first = Math.min(first, c.first);
    last = Math.max(last, c.last);
  }
  const byType = await reader.byType();
  errors += await reader.errorTypedNotFailed();
  const width = bucketWidth(first, last);
  const timeline = await reader.timeline(width);
  const latency = tally(await reader.timed(), true);
  const slowest = await reader.slowest(query.slowest);
  const llm = await reader.llm();
  const stats: Stats = {
    total,
    successes: ok,
    failures: errors,
    by_source: sortedRecord(bySource),
    by_type: sortedRecord(byType),
    latency: toGroupStats(latency),
    slowest,
    tokens: { prompt: llm.prompt, completion: llm.completion, total: llm.total },
    cost_usd: llm.cost,
    timeline: fillTimeline(timeline, first, last, width),
    timeline_bucket_ms: width,
    first_timestamp: new Date(first).toISOString(),
    last_timestamp: new Date(last).toISOString(),
  };
  if (query.groupBy !== undefined) stats.groups = toGroupStats(tally(await reader.grouped(query.groupBy)));
  return stats;
}

/** Rows tallied by key; those whose key is not a string are left out, unless `anyKey` (then named by it). */
function tally(rows: readonly TallyRow[], anyKey = false): Map<string, GroupTally> {
  const out = new Map<string, GroupTally>();
  for (const [k, d, ok, e] of rows) {
    if (typeof k === 'string' || anyKey) addToTally(out, String(k), d, ok, e);
  }
  return out;
}
