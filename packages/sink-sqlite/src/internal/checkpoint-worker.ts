import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What the checkpoint thread is started with. */
export interface CheckpointWorkerData {
  path: string;
  /** Wait between checkpoints while the WAL grows. */
  intervalMs: number;
  /** Longest wait while the WAL is idle (the wait doubles up to it). */
  idleIntervalMs: number;
}

/** The host's one message to the thread: stop. */
export type CheckpointRequest = 'stop';

// The checkpoint thread: PASSIVE checkpoints, which copy committed WAL frames into the database file
// without taking the write lock. Polls at `intervalMs` while frames arrive, backs off while none do.
const { path, intervalMs, idleIntervalMs } = workerData as CheckpointWorkerData;
const port = parentPort!;
const db = new Database(path, { fileMustExist: true });
// never wait for a lock: a busy checkpoint is tried again on the next tick
db.pragma('busy_timeout = 0');
let timer: NodeJS.Timeout | undefined;
let wait = intervalMs;
let lastLog = -1;

function tick(): void {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    const log = row?.log ?? -1;
    wait = log !== lastLog ? intervalMs : Math.min(idleIntervalMs, wait * 2);
    lastLog = log;
  } catch {
    // an I/O error or a full disk: the writer's backstop checkpoints meanwhile; try again later
    wait = idleIntervalMs;
  }
  timer = setTimeout(tick, wait);
}

// asked to stop: with the timer cleared and the port closed, the thread ends
port.on('message', (_request: CheckpointRequest) => {
  clearTimeout(timer);
  db.close();
  port.close();
});
tick();
