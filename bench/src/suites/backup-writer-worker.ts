import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What the bench's writer thread is started with. */
export interface BackupWriterData {
  path: string;
  /** Makes this thread's event ids unique. */
  tag: string;
}

/** Its answer to the host's stop message. */
export interface BackupWriterReport {
  maxGapMs: number;
  commits: number;
}

// A writer beside the backup: one small transaction every ~2 ms, timing the gaps between commits.
const { path, tag } = workerData as BackupWriterData;
const port = parentPort!;
const db = new Database(path);
db.pragma('busy_timeout = 10000');
const insert = db.prepare(
  'INSERT INTO events (event_id, event_type, timestamp, seq, source, run_id, json) VALUES (?,?,?,?,?,?,?)',
);
let stop = false;
let maxGapMs = 0;
let commits = 0;
let last = 0;
port.on('message', () => {
  stop = true;
});

function tick(): void {
  if (stop) {
    db.close();
    port.postMessage({ maxGapMs, commits } satisfies BackupWriterReport);
    return;
  }
  insert.run(
    `w-${tag}-${commits}`,
    'log',
    new Date().toISOString(),
    commits,
    'writer',
    'r',
    '{"payload":{"message":"tick"}}',
  );
  const now = performance.now();
  if (commits > 0) maxGapMs = Math.max(maxGapMs, now - last);
  last = now;
  commits++;
  setTimeout(tick, 2);
}
tick();
