import type { PostgresQueryable } from './postgres-queryable.js';

const DAY_MS = 86_400_000;

/** One daily partition of `events`: its table name and its `event_id` bounds. */
export interface PostgresPartition {
  /** `events_pYYYYMMDD` (UTC day). */
  name: string;
  /** The UTC day as epoch ms of its midnight. */
  dayMs: number;
  /** Lowest UUIDv7 of the day (inclusive). */
  from: string;
  /** Lowest UUIDv7 of the next day (exclusive). */
  to: string;
}

/** The millisecond a UUIDv7 was made (its first 48 bits). */
export function uuidv7Ms(eventId: string): number {
  return Number.parseInt(eventId.slice(0, 8) + eventId.slice(9, 13), 16);
}

/** The smallest UUID whose first 48 bits are `ms`. */
function uuidAt(ms: number): string {
  const hex = Math.max(0, Math.min(ms, 2 ** 48 - 1))
    .toString(16)
    .padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The daily partition holding events made at `ms` (epoch ms). */
export function postgresPartitionFor(ms: number): PostgresPartition {
  const dayMs = Math.floor(ms / DAY_MS) * DAY_MS;
  const name = `events_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
  return { name, dayMs, from: uuidAt(dayMs), to: uuidAt(dayMs + DAY_MS) };
}

/**
 * Creates the daily partitions for `days` (epoch ms within each day) that do not exist yet, each in
 * its own transaction under an advisory lock, so writers on many hosts creating the same day at once
 * create it once. The bounds are literals built from numbers here, never from input text.
 */
export async function ensurePostgresPartitions(db: PostgresQueryable, days: Iterable<number>): Promise<void> {
  const wanted = new Map<string, PostgresPartition>();
  for (const ms of days) {
    const p = postgresPartitionFor(ms);
    wanted.set(p.name, p);
  }
  for (const p of wanted.values()) {
    await db.query('BEGIN');
    try {
      await db.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.obs_partitions'))");
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF events FOR VALUES FROM ('${p.from}') TO ('${p.to}')`,
      );
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}

/** The daily partitions of `events`, oldest first. */
export async function listPostgresPartitions(db: PostgresQueryable): Promise<PostgresPartition[]> {
  const { rows } = await db.query(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'events' AND p.relnamespace = current_schema()::regnamespace`,
  );
  return rows
    .map((r) => /^events_p(\d{4})(\d{2})(\d{2})$/.exec(String(r['name'])))
    .filter((m) => m !== null)
    .map((m) => postgresPartitionFor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))))
    .sort((a, b) => a.dayMs - b.dayMs);
}

/**
 * Retention: drops every daily partition whose whole day is before `beforeMs`, and returns their
 * names. Dropping a partition is instant and frees its disk at once (no `DELETE`, no vacuum); the
 * run and session summaries keep counting the dropped events.
 */
export async function dropPostgresPartitionsBefore(
  db: PostgresQueryable,
  beforeMs: number,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const p of await listPostgresPartitions(db)) {
    if (p.dayMs + DAY_MS > beforeMs) continue;
    await db.query(`DROP TABLE IF EXISTS ${p.name}`);
    dropped.push(p.name);
  }
  return dropped;
}
