import {
  coarsenRollups,
  LatencySketch,
  ROLLUP_TIERS_MS,
  type RollupDeltaMap,
  rollupDimensionsKey,
  type StatsRollup,
} from '@obs/store-format';
import type pg from 'pg';

/** One rollup row to add: its width, its key, what the batch adds. */
interface RollupRow {
  width: number;
  dims: string;
  row: StatsRollup;
}

const KEY_TYPES = ['int4', 'int8', 'text'];
const DIM_COLUMNS = ['source', 'event_type', 'operation', 'status', 'model', 'layer', 'component'] as const;
const MEASURES = [
  'event_count',
  'error_count',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
] as const;
const MEASURE_TYPES = ['int8', 'int8', 'float8', 'float8', 'float8', 'float8'];
const args = (types: readonly string[], from = 1) => types.map((t, i) => `$${i + from}::${t}[]`).join(', ');

const INSERT_SQL = `INSERT INTO stats_rollups (bucket_ms, bucket_ts, dims, ${DIM_COLUMNS.join(', ')},
  ${MEASURES.join(', ')}, first_ts, last_ts, duration_max, latency)
SELECT * FROM unnest(${args([...KEY_TYPES, ...DIM_COLUMNS.map(() => 'text'), ...MEASURE_TYPES, 'int8', 'int8', 'float8', 'bytea'])})
ORDER BY 1, 2, 3
ON CONFLICT (bucket_ms, bucket_ts, dims) DO NOTHING
RETURNING bucket_ms, bucket_ts, dims`;

const LOCK_SQL = `SELECT r.bucket_ms, r.bucket_ts, r.dims, r.latency FROM stats_rollups r
JOIN unnest(${args(KEY_TYPES)}) AS k (bucket_ms, bucket_ts, dims)
  ON (r.bucket_ms, r.bucket_ts, r.dims) = (k.bucket_ms, k.bucket_ts, k.dims)
ORDER BY 1, 2, 3 FOR UPDATE OF r`;

const UPDATE_SQL = `UPDATE stats_rollups r SET
  ${MEASURES.map((m) => `${m} = r.${m} + d.${m}`).join(', ')},
  first_ts = LEAST(r.first_ts, d.first_ts), last_ts = GREATEST(r.last_ts, d.last_ts),
  duration_max = GREATEST(r.duration_max, d.duration_max), latency = d.latency
FROM unnest(${args([...KEY_TYPES, ...MEASURE_TYPES, 'int8', 'int8', 'float8', 'bytea'])})
  AS d (bucket_ms, bucket_ts, dims, ${MEASURES.join(', ')}, first_ts, last_ts, duration_max, latency)
WHERE (r.bucket_ms, r.bucket_ts, r.dims) = (d.bucket_ms, d.bucket_ts, d.dims)`;

const keyOf = (width: number, bucket: number, dims: string) => `${width}|${bucket}|${dims}`;
const bytes = (sketch: LatencySketch) => Buffer.from(sketch.encode());

/**
 * Adds a batch's rollup deltas (minute rows, folded by `foldIntoRollups`) to `stats_rollups` at every
 * tier, inside the caller's transaction. New rows are inserted as they are; rows that exist are
 * locked in key order (`FOR UPDATE`: writers on many hosts wait for each other instead of losing a
 * merge), their sketches merged here (PostgreSQL cannot merge them) and their counters added in SQL.
 */
export async function upsertRollups(client: pg.ClientBase, deltas: RollupDeltaMap): Promise<void> {
  if (deltas.size === 0) return;
  const rows: RollupRow[] = [];
  for (const width of ROLLUP_TIERS_MS) {
    const tier = width === ROLLUP_TIERS_MS[0] ? deltas : coarsenRollups(deltas.values(), width);
    for (const row of tier.values()) rows.push({ width, dims: rollupDimensionsKey(row), row });
  }
  const column = <T>(pick: (r: RollupRow) => T) => rows.map(pick);
  const inserted = await client.query<{ bucket_ms: number; bucket_ts: number; dims: string }>(INSERT_SQL, [
    column((r) => r.width),
    column((r) => r.row.bucket_ts),
    column((r) => r.dims),
    ...DIM_COLUMNS.map((c) => column((r) => r.row[c])),
    ...MEASURES.map((m) => column((r) => r.row[m])),
    column((r) => r.row.first_ts),
    column((r) => r.row.last_ts),
    column((r) => r.row.duration_max),
    column((r) => bytes(r.row.latency)),
  ]);
  const fresh = new Set(inserted.rows.map((r) => keyOf(r.bucket_ms, r.bucket_ts, r.dims)));
  const existing = rows.filter((r) => !fresh.has(keyOf(r.width, r.row.bucket_ts, r.dims)));
  if (existing.length === 0) return;
  const locked = await client.query<{ bucket_ms: number; bucket_ts: number; dims: string; latency: Buffer }>(
    LOCK_SQL,
    [existing.map((r) => r.width), existing.map((r) => r.row.bucket_ts), existing.map((r) => r.dims)],
  );
  const stored = new Map(locked.rows.map((r) => [keyOf(r.bucket_ms, r.bucket_ts, r.dims), r.latency]));
  const merged = existing.map((r) => {
    const sketch = LatencySketch.decode(stored.get(keyOf(r.width, r.row.bucket_ts, r.dims))!);
    sketch.merge(r.row.latency);
    return bytes(sketch);
  });
  await client.query(UPDATE_SQL, [
    existing.map((r) => r.width),
    existing.map((r) => r.row.bucket_ts),
    existing.map((r) => r.dims),
    ...MEASURES.map((m) => existing.map((r) => r.row[m])),
    existing.map((r) => r.row.first_ts),
    existing.map((r) => r.row.last_ts),
    existing.map((r) => r.row.duration_max),
    merged,
  ]);
}
