import { LatencySketch } from '@obs/store-format';
import type pg from 'pg';
import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES, type RollupColumns } from './prepared-batch.js';

/** A stored rollup row locked by {@link rollupLockSql}, with its sketch. */
export interface LockedRollup {
  bucket_ms: number;
  bucket_ts: number;
  dims: string;
  latency: Buffer;
}

const KEY_TYPES = ['int4', 'int8', 'text'];
/** The measures' types, then first_ts and last_ts. */
const VALUE_TYPES = ['int8', 'int8', 'float8', 'float8', 'float8', 'float8', 'int8', 'int8'];
const args = (types: readonly string[], from: number) =>
  types.map((t, i) => `$${i + from}::${t}[]`).join(', ');
const KEYS = '(bucket_ms, bucket_ts, dims)';

/**
 * Locks the stored rows among the keys given as parameters `$from`… (widths, buckets, dims) in key
 * order and returns their sketches: writers on many hosts wait for each other instead of losing a merge.
 */
export const rollupLockSql = (from: number) => `SELECT x.bucket_ms, x.bucket_ts, x.dims, x.latency
FROM stats_rollups x JOIN unnest(${args(KEY_TYPES, from)}) AS k ${KEYS} ON (x.bucket_ms, x.bucket_ts, x.dims) = k
ORDER BY 1, 2, 3 FOR UPDATE OF x`;

const UPDATE_SQL = `UPDATE stats_rollups x SET
  ${ROLLUP_MEASURES.map((m) => `${m} = x.${m} + d.${m}`).join(', ')},
  first_ts = LEAST(x.first_ts, d.first_ts), last_ts = GREATEST(x.last_ts, d.last_ts),
  duration_max = GREATEST(x.duration_max, d.duration_max), latency = d.latency
FROM unnest(${args([...KEY_TYPES, ...VALUE_TYPES, 'float8', 'bytea'], 1)})
  AS d (bucket_ms, bucket_ts, dims, ${ROLLUP_MEASURES.join(', ')}, first_ts, last_ts, duration_max, latency)
WHERE (x.bucket_ms, x.bucket_ts, x.dims) = (d.bucket_ms, d.bucket_ts, d.dims)`;

const UPDATE_PARAMS = KEY_TYPES.length + VALUE_TYPES.length + 2;

const INSERT_SQL = (from: number) => `INSERT INTO stats_rollups (bucket_ms, bucket_ts, dims,
  ${ROLLUP_DIMENSIONS.join(', ')}, ${ROLLUP_MEASURES.join(', ')}, first_ts, last_ts, duration_max, latency)
SELECT * FROM unnest(${args([...KEY_TYPES, ...ROLLUP_DIMENSIONS.map(() => 'text'), ...VALUE_TYPES, 'float8', 'bytea'], from)})
ORDER BY 1, 2, 3
ON CONFLICT ${KEYS} DO NOTHING
RETURNING bucket_ms, bucket_ts, dims`;

/** The stored rows (locked) get the batch's deltas added, the new ones are inserted: one statement. */
const STORE_SQL = `WITH updated AS (${UPDATE_SQL} RETURNING 1)
${INSERT_SQL(UPDATE_PARAMS + 1)}`;

const keyOf = (width: number, bucket: number, dims: string) => `${width}|${bucket}|${dims}`;

/** The key parameters of {@link rollupLockSql} for `rows` (indexes into `c`). */
export function rollupKeyParams(
  c: RollupColumns,
  rows: readonly number[] = c.width.map((_, i) => i),
): unknown[] {
  return [rows.map((i) => c.width[i]), rows.map((i) => c.bucket[i]), rows.map((i) => c.dims[i])];
}

/**
 * Adds a batch's rollup rows (every tier) to `stats_rollups` inside the caller's transaction, given
 * the stored ones among them, already locked by {@link rollupLockSql}: their sketches are merged here
 * (PostgreSQL cannot merge them) and their counters added in SQL, the rest inserted. A row another
 * writer inserted since the lock is locked and merged in a second pass.
 */
export async function storeRollups(
  client: pg.ClientBase,
  c: RollupColumns,
  locked: readonly LockedRollup[],
): Promise<void> {
  const stored = new Map(locked.map((r) => [keyOf(r.bucket_ms, r.bucket_ts, r.dims), r.latency]));
  const existing: number[] = [];
  const fresh: number[] = [];
  c.width.forEach((w, i) => {
    (stored.has(keyOf(w, c.bucket[i]!, c.dims[i]!)) ? existing : fresh).push(i);
  });
  const inserted = await client.query<{ bucket_ms: number; bucket_ts: number; dims: string }>({
    name: 'obs-rollups',
    text: STORE_SQL,
    values: [
      ...updateParams(c, existing, stored),
      ...rollupKeyParams(c, fresh),
      ...c.dimensions.map((column) => fresh.map((i) => column[i])),
      ...valueParams(c, fresh),
      fresh.map((i) => Buffer.from(c.latency[i]!)),
    ],
  });
  if (inserted.rows.length === fresh.length) return;
  const done = new Set(inserted.rows.map((r) => keyOf(r.bucket_ms, r.bucket_ts, r.dims)));
  const late = fresh.filter((i) => !done.has(keyOf(c.width[i]!, c.bucket[i]!, c.dims[i]!)));
  const relocked = await client.query<LockedRollup>(rollupLockSql(1), rollupKeyParams(c, late));
  const again = new Map(relocked.rows.map((r) => [keyOf(r.bucket_ms, r.bucket_ts, r.dims), r.latency]));
  await client.query(UPDATE_SQL, updateParams(c, late, again));
}

function valueParams(c: RollupColumns, rows: readonly number[]): unknown[] {
  return [
    ...c.measures.map((column) => rows.map((i) => column[i])),
    rows.map((i) => c.first[i]),
    rows.map((i) => c.last[i]),
    rows.map((i) => c.durationMax[i]),
  ];
}

function updateParams(
  c: RollupColumns,
  rows: readonly number[],
  stored: ReadonlyMap<string, Buffer>,
): unknown[] {
  const merged = rows.map((i) => {
    const sketch = LatencySketch.decode(stored.get(keyOf(c.width[i]!, c.bucket[i]!, c.dims[i]!))!);
    sketch.merge(LatencySketch.decode(c.latency[i]!));
    return Buffer.from(sketch.encode());
  });
  return [...rollupKeyParams(c, rows), ...valueParams(c, rows), merged];
}
