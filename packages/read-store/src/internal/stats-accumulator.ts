import type { Stats, StatsGroupBy } from '../read-store.js';
import {
  addToTally,
  bucketWidth,
  fillTimeline,
  type GroupTally,
  sortedRecord,
  toGroupStats,
} from './stats-math.js';

/** What `stats` needs of one event (the JSONL index keeps these per event). */
export interface StatsFacts {
  ts: number;
  timestamp: string;
  event_id: string;
  event_type: string;
  source: string;
  run_id: string;
  status: 'ok' | 'error' | null;
  duration_ms: number | null;
  /** Span operation, else the event type. */
  name: string;
  layer: string | null;
  component: string | null;
  model: string | null;
  /** From `llm.call` payloads, with the same rules as the SQLite summaries; zero otherwise. */
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

/** Stats of no events. */
export function emptyStats(): Stats {
  return {
    total: 0,
    successes: 0,
    failures: 0,
    by_source: {},
    by_type: {},
    latency: [],
    slowest: [],
    tokens: { prompt: 0, completion: 0, total: 0 },
    cost_usd: 0,
    timeline: [],
    first_timestamp: null,
    last_timestamp: null,
  };
}

const isError = (e: StatsFacts) => e.status === 'error' || e.event_type === 'error';

const KEY: Record<StatsGroupBy, (e: StatsFacts) => string | null> = {
  source: (e) => e.source,
  event_type: (e) => e.event_type,
  operation: (e) => e.name,
  layer: (e) => e.layer,
  component: (e) => e.component,
  model: (e) => e.model,
};

/** `stats` over events in trail order, with the same definitions as the SQLite backend's SQL. */
export function computeStats(
  events: readonly StatsFacts[],
  groupBy: StatsGroupBy | undefined,
  slowestN: number,
): Stats {
  if (events.length === 0) return emptyStats();
  const byType = new Map<string, number>();
  const bySource = new Map<string, number>();
  const latency = new Map<string, GroupTally>();
  const groups = new Map<string, GroupTally>();
  const stats = emptyStats();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    byType.set(e.event_type, (byType.get(e.event_type) ?? 0) + 1);
    bySource.set(e.source, (bySource.get(e.source) ?? 0) + 1);
    const error = isError(e);
    stats.total++;
    if (e.status === 'ok') stats.successes++;
    if (error) stats.failures++;
    if (e.ts < first) first = e.ts;
    if (e.ts > last) last = e.ts;
    if (e.duration_ms !== null) add(latency, e.name, e, error);
    if (groupBy !== undefined) {
      const key = KEY[groupBy](e);
      if (key !== null) add(groups, key, e, error);
    }
    stats.tokens.prompt += e.prompt_tokens;
    stats.tokens.completion += e.completion_tokens;
    stats.tokens.total += e.total_tokens;
    stats.cost_usd += e.cost_usd;
  }
  const width = bucketWidth(first, last);
  const buckets = new Map<number, { total: number; errors: number }>();
  for (const e of events) {
    const b = Math.floor(e.ts / width);
    let c = buckets.get(b);
    if (c === undefined) {
      c = { total: 0, errors: 0 };
      buckets.set(b, c);
    }
    c.total++;
    if (isError(e)) c.errors++;
  }
  stats.by_source = sortedRecord(bySource);
  stats.by_type = sortedRecord(byType);
  stats.latency = toGroupStats(latency);
  stats.slowest = slowest(events, slowestN);
  stats.timeline = fillTimeline(buckets, first, last, width);
  stats.timeline_bucket_ms = width;
  stats.first_timestamp = new Date(first).toISOString();
  stats.last_timestamp = new Date(last).toISOString();
  if (groupBy !== undefined) stats.groups = toGroupStats(groups);
  return stats;
}

function add(map: Map<string, GroupTally>, key: string, e: StatsFacts, error: boolean): void {
  addToTally(map, key, e.duration_ms, e.status === 'ok', error);
}

/** The `n` longest timed events, longest first, ties in trail order (the input order). */
function slowest(events: readonly StatsFacts[], n: number): Stats['slowest'] {
  const timed: { e: StatsFacts; i: number }[] = [];
  events.forEach((e, i) => {
    if (e.duration_ms !== null) timed.push({ e, i });
  });
  timed.sort((a, b) => b.e.duration_ms! - a.e.duration_ms! || a.i - b.i);
  return timed.slice(0, n).map(({ e }) => ({
    event_id: e.event_id,
    run_id: e.run_id,
    name: e.name,
    duration_ms: e.duration_ms!,
    status: e.status,
    timestamp: e.timestamp,
  }));
}
