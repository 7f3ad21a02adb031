import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What the worker is asked to do. */
export type WorkerTask =
  | { kind: 'snapshot'; source: string; target: string; busyTimeoutMs: number }
  | { kind: 'verify'; path: string };

/** Facts about a snapshot, read from the snapshot itself. */
export interface SnapshotFacts {
  bytes: number;
  sha256: string;
  pageSize: number;
  sqliteVersion: string;
  schemaVersion: number;
  eventCount: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

/** The worker's body. Runs as an eval'd CommonJS script, so it may only use `require` and its own scope. */
function workerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const Database = require(workerData.driver) as typeof import('better-sqlite3');
  const task = workerData.task as WorkerTask;
  const sha256 = (path: string) => {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 20);
    const fd = fs.openSync(path, 'r');
    try {
      for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer))
        hash.update(buffer.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
    return hash.digest('hex');
  };
  /**
   * Event count and time range of a snapshot. Schema 3 keeps events in `event_rows` (read by index:
   * `ts`, the timestamp from the JSON); older files, and other databases, have an `events` table with a
   * `timestamp` column, or no events at all.
   */
  function eventFacts(snap: InstanceType<typeof Database>): { count: number; first: unknown; last: unknown } {
    const table = (name: string) => snap.pragma(`table_info(${name})`) as { name: string }[];
    if (table('event_rows').length > 0) {
      const edge = (order: 'ASC' | 'DESC') =>
        snap
          .prepare(`SELECT json_extract(json, '$.timestamp') FROM event_rows ORDER BY ts ${order} LIMIT 1`)
          .pluck()
          .get();
      return {
        count: snap.prepare('SELECT count(*) FROM event_rows').pluck().get() as number,
        first: edge('ASC'),
        last: edge('DESC'),
      };
    }
    const columns = table('events');
    if (columns.length === 0) return { count: 0, first: null, last: null };
    const range = columns.some((c) => c.name === 'timestamp')
      ? (snap.prepare('SELECT min(timestamp) AS first, max(timestamp) AS last FROM events').get() as {
          first: unknown;
          last: unknown;
        })
      : { first: null, last: null };
    return { count: snap.prepare('SELECT count(*) FROM events').pluck().get() as number, ...range };
  }
  try {
    if (task.kind === 'verify') {
      const db = new Database(task.path, { fileMustExist: true });
      try {
        const rows = db.pragma('integrity_check') as { integrity_check: string }[];
        parentPort?.postMessage({ ok: true, value: rows.map((r) => r.integrity_check) });
      } finally {
        db.close();
      }
      return;
    }
    const source = new Database(task.source, { fileMustExist: true, timeout: task.busyTimeoutMs });
    try {
      source.prepare('VACUUM INTO ?').run(task.target);
    } finally {
      source.close();
    }
    const snap = new Database(task.target, { readonly: true, fileMustExist: true });
    let facts: Record<string, unknown>;
    try {
      const { count, first, last } = eventFacts(snap);
      facts = {
        pageSize: snap.pragma('page_size', { simple: true }),
        sqliteVersion: snap.prepare('SELECT sqlite_version()').pluck().get(),
        schemaVersion: snap.pragma('user_version', { simple: true }),
        eventCount: count,
        firstTimestamp: typeof first === 'string' ? first : null,
        lastTimestamp: typeof last === 'string' ? last : null,
      };
    } finally {
      snap.close();
    }
    parentPort?.postMessage({
      ok: true,
      value: { ...facts, bytes: fs.statSync(task.target).size, sha256: sha256(task.target) },
    });
  } catch (error) {
    const e = error as { message?: string; code?: string };
    parentPort?.postMessage({
      ok: false,
      message: String(e?.message ?? error),
      code: typeof e?.code === 'string' ? e.code : undefined,
    });
  }
}

const WORKER_SOURCE = `(${workerMain.toString()})()`;

/** An SQLite failure reported by the worker, with SQLite's error code (`SQLITE_NOTADB`, `SQLITE_FULL`…). */
export class SqliteWorkerError extends Error {
  readonly sqliteCode: string | undefined;
  constructor(message: string, sqliteCode: string | undefined) {
    super(message);
    this.name = 'SqliteWorkerError';
    this.sqliteCode = sqliteCode;
  }
}

/** Runs one SQLite task in a worker thread so the host's event loop never waits on it. */
export function runInWorker(task: {
  kind: 'snapshot';
  source: string;
  target: string;
  busyTimeoutMs: number;
}): Promise<SnapshotFacts>;
export function runInWorker(task: { kind: 'verify'; path: string }): Promise<string[]>;
export function runInWorker(task: WorkerTask): Promise<unknown> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, task } });
    let settled = false;
    worker.once('message', (msg: { ok: boolean; value?: unknown; message?: string; code?: string }) => {
      settled = true;
      if (msg.ok) resolve(msg.value);
      else reject(new SqliteWorkerError(msg.message ?? 'unknown SQLite error', msg.code));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`SQLite worker exited with code ${code} before answering`));
    });
  });
}
