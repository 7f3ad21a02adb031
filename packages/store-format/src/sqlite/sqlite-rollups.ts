import type { Envelope } from '@obs/core';
import { LatencySketch } from '../latency-sketch.js';
import {
  coarsenRollups,
  foldIntoRollups,
  ROLLUP_TIERS_MS,
  type RollupDeltaMap,
  rollupBucket,
  rollupDimensionsKey,
  type StatsRollup,
} from '../stats-rollup.js';

/** A prepared statement as the rollup writer uses it; better-sqlite3's `Statement` fits. */
export interface SqliteRollupStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** The part of a connection the rollup writer uses; a better-sqlite3 `Database` fits. */
export interface SqliteRollupDatabase {
  prepare(sql: string): SqliteRollupStatement;
  // biome-ignore lint/suspicious/noExplicitAny: better-sqlite3 declares user functions with any[] arguments
  function(name: string, options: { deterministic: boolean }, fn: (...args: any[]) => unknown): unknown;
}

/** The SQL function {@link SqliteRollupWriter} registers to merge two encoded sketches in an upsert. */
export const SKETCH_MERGE_FUNCTION = 'obs_sketch_merge';

/** Tables of schema version 4 that hold the stats rollups (see `sqlite-tables.ts`). */
export const STATS_ROLLUP_DDL = `
CREATE TABLE stats_rollup_dims (
  dim_key INTEGER PRIMARY KEY,
  dims TEXT NOT NULL UNIQUE,
  source_key INTEGER NOT NULL,
  type_key INTEGER NOT NULL,
  operation TEXT NOT NULL,
  status TEXT,
  model TEXT,
  layer TEXT,
  component TEXT
);
CREATE TABLE stats_rollups (
  bucket_ms INTEGER NOT NULL,
  bucket_ts INTEGER NOT NULL,
  dim_key INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts INTEGER NOT NULL,
  duration_max REAL,
  latency BLOB NOT NULL,
  PRIMARY KEY (bucket_ms, bucket_ts, dim_key)
) WITHOUT ROWID;
`;

const UPSERT_SQL = `INSERT INTO stats_rollups (bucket_ms, bucket_ts, dim_key, event_count, error_count,
  prompt_tokens, completion_tokens, total_tokens, cost_usd, first_ts, last_ts, duration_max, latency)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (bucket_ms, bucket_ts, dim_key) DO UPDATE SET
  event_count = event_count + excluded.event_count,
  error_count = error_count + excluded.error_count,
  prompt_tokens = prompt_tokens + excluded.prompt_tokens,
  completion_tokens = completion_tokens + excluded.completion_tokens,
  total_tokens = total_tokens + excluded.total_tokens,
  cost_usd = cost_usd + excluded.cost_usd,
  first_ts = MIN(first_ts, excluded.first_ts),
  last_ts = MAX(last_ts, excluded.last_ts),
  duration_max = MAX(COALESCE(duration_max, excluded.duration_max), COALESCE(excluded.duration_max, duration_max)),
  latency = ${SKETCH_MERGE_FUNCTION}(latency, excluded.latency)`;

const toBlob = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The encoding of a sketch without values (its version byte and a count of 0): nothing to merge. */
const EMPTY_SKETCH = Buffer.from(new LatencySketch().encode());
const isEmptySketch = (bytes: Uint8Array) => EMPTY_SKETCH.equals(bytes);
/** A sketch's bytes for its column (most rows of a batch have no durations: one shared buffer for them). */
const sketchBlob = (sketch: LatencySketch) => (sketch.count === 0 ? EMPTY_SKETCH : toBlob(sketch.encode()));

/** Whether every row of `deltas` is in the same minute bucket (a live batch's usual case). */
function inOneMinute(deltas: RollupDeltaMap): boolean {
  let bucket: number | undefined;
  for (const row of deltas.values()) {
    if (bucket === undefined) bucket = row.bucket_ts;
    else if (row.bucket_ts !== bucket) return false;
  }
  return true;
}

/**
 * Adds rollup deltas to `stats_rollups` at every tier of {@link ROLLUP_TIERS_MS}, one upsert per
 * row, inside the caller's transaction (the one that writes the events). Dimension keys made in a
 * transaction are cached once the caller says it committed (`commit`/`rollback`).
 */
export class SqliteRollupWriter {
  readonly #upsert: SqliteRollupStatement;
  readonly #selectDims: SqliteRollupStatement;
  readonly #insertDims: SqliteRollupStatement;
  readonly #cache = new Map<string, number>();
  readonly #pending = new Map<string, number>();

  constructor(db: SqliteRollupDatabase) {
    db.function(SKETCH_MERGE_FUNCTION, { deterministic: true }, (a: Uint8Array, b: Uint8Array) => {
      if (isEmptySketch(b)) return a;
      const merged = LatencySketch.decode(a);
      merged.merge(LatencySketch.decode(b));
      return toBlob(merged.encode());
    });
    this.#upsert = db.prepare(UPSERT_SQL);
    this.#selectDims = db.prepare('SELECT dim_key AS k FROM stats_rollup_dims WHERE dims = ?');
    this.#insertDims = db.prepare(`INSERT INTO stats_rollup_dims
      (dims, source_key, type_key, operation, status, model, layer, component)
      VALUES (?, (SELECT source_key FROM sources WHERE source = ?), (SELECT type_key FROM event_types WHERE event_type = ?), ?, ?, ?, ?, ?)
      RETURNING dim_key AS k`);
  }

  /** Upserts minute rows `deltas` and the hour and day rows they add to; call inside the transaction. */
  write(deltas: RollupDeltaMap): void {
    if (deltas.size === 0) return;
    if (inOneMinute(deltas)) {
      // each coarser row of the batch is one minute row as it stands: add that row to every tier,
      // its sketch encoded once, without merging copies of it
      for (const row of deltas.values()) {
        const dimKey = this.#dimKey(row);
        const latency = sketchBlob(row.latency);
        for (const width of ROLLUP_TIERS_MS) {
          this.#write(width, rollupBucket(row.bucket_ts, width), dimKey, row, latency);
        }
      }
      return;
    }
    for (const width of ROLLUP_TIERS_MS) {
      const rows = width === ROLLUP_TIERS_MS[0] ? deltas : coarsenRollups(deltas.values(), width);
      for (const row of rows.values()) {
        this.#write(width, row.bucket_ts, this.#dimKey(row), row, sketchBlob(row.latency));
      }
    }
  }

  commit(): void {
    for (const [dims, key] of this.#pending) this.#cache.set(dims, key);
    this.#pending.clear();
  }

  rollback(): void {
    this.#pending.clear();
  }

  #write(width: number, bucketTs: number, dimKey: number, r: StatsRollup, latency: Buffer): void {
    this.#upsert.run(
      width,
      bucketTs,
      dimKey,
      r.event_count,
      r.error_count,
      r.prompt_tokens,
      r.completion_tokens,
      r.total_tokens,
      r.cost_usd,
      r.first_ts,
      r.last_ts,
      r.duration_max,
      latency,
    );
  }

  #dimKey(r: StatsRollup): number {
    const dims = rollupDimensionsKey(r);
    const cached = this.#cache.get(dims) ?? this.#pending.get(dims);
    if (cached !== undefined) return cached;
    const found = this.#selectDims.get(dims) as { k: number } | undefined;
    const key =
      found?.k ??
      (
        this.#insertDims.get(
          dims,
          r.source,
          r.event_type,
          r.operation,
          r.status,
          r.model,
          r.layer,
          r.component,
        ) as { k: number }
      ).k;
    this.#pending.set(dims, key);
    return key;
  }
}

/** Events folded per flush while rebuilding, so memory stays bounded on any database. */
const REBUILD_CHUNK = 50_000;

/**
 * Rebuilds `stats_rollups` from every stored event with the same rules the writers apply (the
 * migration to schema version 4 runs it); call inside a transaction, on empty rollup tables.
 */
export function rebuildSqliteRollups(db: SqliteRollupDatabase): void {
  const writer = new SqliteRollupWriter(db);
  const page = db.prepare('SELECT id, ts, json FROM event_rows WHERE id > ? ORDER BY id LIMIT ?');
  for (let after = 0; ; ) {
    const rows = page.all(after, REBUILD_CHUNK) as { id: number; ts: number; json: string }[];
    if (rows.length === 0) break;
    const deltas: RollupDeltaMap = new Map();
    for (const row of rows) foldIntoRollups(deltas, JSON.parse(row.json) as Envelope, row.ts);
    writer.write(deltas);
    after = rows[rows.length - 1]!.id;
  }
  writer.commit();
}
