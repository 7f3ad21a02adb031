import type { Envelope } from '@obs/core';
import { LatencySketch } from './latency-sketch.js';
import { isErrorEvent, llmUsage } from './rollup-rules.js';

/**
 * The rules by which events build stats rollups, for every backend: a writer folds each batch into a
 * {@link RollupDeltaMap} with {@link foldIntoRollups} and adds each delta to its stored row (counts
 * and sums add, `first_ts`/`last_ts` take min/max, sketches merge); a reader sums the rows of a range.
 * Backend-neutral: names, not a store's integer keys.
 */

/** Width of a rollup time bucket: one minute, epoch-aligned. */
export const ROLLUP_BUCKET_MS = 60_000;

/**
 * Widths a store may keep rollups at, finest first: minutes, hours, days (UTC, epoch-aligned). A
 * coarser row is the merge of the finer rows it covers ({@link coarsenRollups}), so a long range is
 * read from few rows: whole days, then whole hours, then whole minutes at its edges.
 */
export const ROLLUP_TIERS_MS = [ROLLUP_BUCKET_MS, 3_600_000, 86_400_000] as const;

/** What one rollup row is keyed by. A `null` means the event has no such field. */
export interface RollupDimensions {
  /** Start of the event's minute, epoch ms (`floor(ts / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS`). */
  bucket_ts: number;
  source: string;
  event_type: string;
  /** {@link rollupOperation}: a span's `payload.operation`, else the event type. */
  operation: string;
  status: 'ok' | 'error' | null;
  /** {@link rollupModel}: `payload.model` when it is a string (an `llm.call`'s model), else null. */
  model: string | null;
  /** `payload.layer` when it is a string (spans), else null. */
  layer: string | null;
  /** `payload.component` when it is a string (spans), else null. */
  component: string | null;
}

/** What one rollup row adds up over its events. */
export interface RollupMeasures {
  event_count: number;
  /** Events that count as errors ({@link isErrorEvent}): status `error`, or an `error` event. */
  error_count: number;
  /** Token and cost totals by {@link llmUsage} (non-zero only for `llm.call`). */
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  /** Earliest and latest event time in the row, epoch ms. */
  first_ts: number;
  last_ts: number;
  /** Longest `duration_ms` in the row, null when no event has one. */
  duration_max: number | null;
  /** The row's non-null `duration_ms` values (`latency.count` of them). */
  latency: LatencySketch;
}

/** One rollup row: its dimensions and what its events add up to. */
export interface StatsRollup extends RollupDimensions, RollupMeasures {}

/** Rollup rows of a batch, by {@link rollupKey}: what a writer adds to its stored rows. */
export type RollupDeltaMap = Map<string, StatsRollup>;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** An event's operation: a span's `payload.operation` (a string), else its event type. */
export function rollupOperation(envelope: Envelope): string {
  return spanOperation(envelope) ?? envelope.event_type;
}

/** A span's `payload.operation` when it is a string, else null (what SQLite's `event_rows.operation` holds). */
export function spanOperation(envelope: Envelope): string | null {
  const operation = envelope.payload['operation'];
  return envelope.event_type === 'span' && typeof operation === 'string' ? operation : null;
}

/** An event's model: `payload.model` when it is a string (every `llm.call` has one), else null. */
export function rollupModel(envelope: Envelope): string | null {
  return str(envelope.payload['model']);
}

/** The rollup row an event (at `ts`, epoch ms) belongs to. */
export function rollupDimensions(envelope: Envelope, ts: number): RollupDimensions {
  const p = envelope.payload;
  return {
    bucket_ts: rollupBucket(ts),
    source: envelope.source,
    event_type: envelope.event_type,
    operation: rollupOperation(envelope),
    status: envelope.status,
    model: str(p['model']),
    layer: str(p['layer']),
    component: str(p['component']),
  };
}

/** Start of the rollup bucket of width `widthMs` (one minute by default) holding `ts` (epoch ms). */
export function rollupBucket(ts: number, widthMs: number = ROLLUP_BUCKET_MS): number {
  return Math.floor(ts / widthMs) * widthMs;
}

/**
 * A string that is equal for two rows exactly when their dimensions other than the bucket are
 * (length-prefixed fields, so no value can forge another's key): a store's dimension dictionary key.
 */
export function rollupDimensionsKey(d: RollupDimensions): string {
  return dimsKey(d.source, d.event_type, d.operation, d.status, d.model, d.layer, d.component);
}

/** A string that is equal for two rows exactly when all their dimensions are, the bucket included. */
export function rollupKey(d: RollupDimensions): string {
  return `${d.bucket_ts}|${rollupDimensionsKey(d)}`;
}

const part = (s: string | null) => (s === null ? '-|' : `${s.length}:${s}|`);

function dimsKey(
  source: string,
  eventType: string,
  operation: string,
  status: string | null,
  model: string | null,
  layer: string | null,
  component: string | null,
): string {
  return (
    part(source) +
    part(eventType) +
    part(operation) +
    part(status) +
    part(model) +
    part(layer) +
    part(component)
  );
}

/** A row of `dimensions` with no events yet. */
export function emptyRollup(d: RollupDimensions): StatsRollup {
  // a literal, not a spread of `d`: V8 (Node 20) makes a spread followed by more keys in ~25 µs
  return {
    bucket_ts: d.bucket_ts,
    source: d.source,
    event_type: d.event_type,
    operation: d.operation,
    status: d.status,
    model: d.model,
    layer: d.layer,
    component: d.component,
    event_count: 0,
    error_count: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    cost_usd: 0,
    first_ts: Number.POSITIVE_INFINITY,
    last_ts: Number.NEGATIVE_INFINITY,
    duration_max: null,
    latency: new LatencySketch(),
  };
}

/**
 * Rows of a delta map by bucket and event type, to find an event's row by comparing a few fields
 * instead of building and hashing its key string (the fold's main cost).
 */
interface TypeIndex {
  size: number;
  byBucket: Map<number, Map<string, StatsRollup[]>>;
}
const indexes = new WeakMap<RollupDeltaMap, TypeIndex>();

/** The row of `deltas` an event belongs to, created when missing. */
function rowOf(deltas: RollupDeltaMap, envelope: Envelope, ts: number): StatsRollup {
  let index = indexes.get(deltas);
  if (index === undefined || index.size !== deltas.size) {
    index = { size: 0, byBucket: new Map() };
    for (const row of deltas.values()) addToIndex(index, row);
    indexes.set(deltas, index);
  }
  const p = envelope.payload;
  const bucket = rollupBucket(ts);
  const operation = rollupOperation(envelope);
  const model = str(p['model']);
  const layer = str(p['layer']);
  const component = str(p['component']);
  const candidates = index.byBucket.get(bucket)?.get(envelope.event_type);
  if (candidates !== undefined) {
    for (const r of candidates) {
      if (
        r.source === envelope.source &&
        r.status === envelope.status &&
        r.operation === operation &&
        r.model === model &&
        r.layer === layer &&
        r.component === component
      )
        return r;
    }
  }
  const row = emptyRollup({
    bucket_ts: bucket,
    source: envelope.source,
    event_type: envelope.event_type,
    operation,
    status: envelope.status,
    model,
    layer,
    component,
  });
  deltas.set(rollupKey(row), row);
  addToIndex(index, row);
  return row;
}

function addToIndex(index: TypeIndex, row: StatsRollup): void {
  let byType = index.byBucket.get(row.bucket_ts);
  if (byType === undefined) {
    byType = new Map();
    index.byBucket.set(row.bucket_ts, byType);
  }
  const list = byType.get(row.event_type);
  if (list === undefined) byType.set(row.event_type, [row]);
  else list.push(row);
  index.size++;
}

/** Adds one event (at `ts`, epoch ms; its timestamp by default) to its row in `deltas`. */
export function foldIntoRollups(
  deltas: RollupDeltaMap,
  envelope: Envelope,
  ts: number = Date.parse(envelope.timestamp),
): void {
  const row = rowOf(deltas, envelope, ts);
  row.event_count++;
  if (isErrorEvent(envelope)) row.error_count++;
  if (ts < row.first_ts) row.first_ts = ts;
  if (ts > row.last_ts) row.last_ts = ts;
  const d = envelope.duration_ms;
  if (d !== null) {
    row.latency.add(d);
    if (row.duration_max === null || d > row.duration_max) row.duration_max = d;
  }
  if (envelope.event_type !== 'llm.call') return;
  const usage = llmUsage(envelope);
  row.prompt_tokens += usage.prompt_tokens;
  row.completion_tokens += usage.completion_tokens;
  row.total_tokens += usage.total_tokens;
  row.cost_usd += usage.cost_usd;
}

/** Adds `from`'s measures to `into` (rows of the same dimensions, or any two rows being summed). */
export function mergeRollup(into: RollupMeasures, from: RollupMeasures): void {
  into.event_count += from.event_count;
  into.error_count += from.error_count;
  into.prompt_tokens += from.prompt_tokens;
  into.completion_tokens += from.completion_tokens;
  into.total_tokens += from.total_tokens;
  into.cost_usd += from.cost_usd;
  if (from.first_ts < into.first_ts) into.first_ts = from.first_ts;
  if (from.last_ts > into.last_ts) into.last_ts = from.last_ts;
  if (from.duration_max !== null && (into.duration_max === null || from.duration_max > into.duration_max))
    into.duration_max = from.duration_max;
  into.latency.merge(from.latency);
}

/**
 * The rows of `deltas` merged into buckets of `widthMs` (a multiple of the rows' width, e.g. an entry
 * of {@link ROLLUP_TIERS_MS}); the input is left unchanged.
 */
export function coarsenRollups(deltas: Iterable<StatsRollup>, widthMs: number): RollupDeltaMap {
  const out: RollupDeltaMap = new Map();
  for (const row of deltas) {
    const dims = dimensionsOf(row);
    dims.bucket_ts = rollupBucket(row.bucket_ts, widthMs);
    const key = rollupKey(dims);
    let into = out.get(key);
    if (into === undefined) {
      into = emptyRollup(dims);
      out.set(key, into);
    }
    mergeRollup(into, row);
  }
  return out;
}

/** Only the dimensions of a row. */
export function dimensionsOf(row: RollupDimensions): RollupDimensions {
  const { bucket_ts, source, event_type, operation, status, model, layer, component } = row;
  return { bucket_ts, source, event_type, operation, status, model, layer, component };
}

/** Folds every event of `envelopes` into a new delta map. */
export function rollupsOf(envelopes: Iterable<Envelope>): RollupDeltaMap {
  const deltas: RollupDeltaMap = new Map();
  for (const e of envelopes) foldIntoRollups(deltas, e);
  return deltas;
}
