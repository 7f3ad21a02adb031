import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What the checkpoint thread is started with. */
export interface CheckpointWorkerData {
  path: string;
  /** Shortest wait between checkpoints while the WAL grows. */
  intervalMs: number;
  /** Frames one checkpoint should copy: while fewer arrive per wait, the wait grows (up to {@link ACTIVE_MAX_MS}). */
  targetFrames: number;
  /** Longest wait while the WAL is idle (the wait doubles up to it). */
  idleIntervalMs: number;
}

/** The host's one message to the thread: stop. */
export type CheckpointRequest = 'stop';

/** Longest wait while frames arrive: short enough that the writer's backstop rarely finds a full WAL. */
const ACTIVE_MAX_MS = 50;

// The checkpoint thread: PASSIVE checkpoints, which copy committed WAL frames into the database file
// without taking the write lock. Each checkpoint copies every page changed since the last one (and
// syncs the file), so checkpointing a few frames at a time copies the hot pages (index roots, the
// rollups) over and over: the wait adapts so that each checkpoint copies about `targetFrames`, from
// `intervalMs` up to ACTIVE_MAX_MS, and backs off to `idleIntervalMs` while no frames arrive.
const { path, intervalMs, targetFrames, idleIntervalMs } = workerData as CheckpointWorkerData;
const port = parentPort!;
const db = new Database(path, { fileMustExist: true });
// never wait for a lock: a busy checkpoint is tried again on the next tick
db.pragma('busy_timeout = 0');
let timer: NodeJS.Timeout | undefined;
let wait = intervalMs;
let lastLog = -1;
let lastCopied = 0;

function tick(): void {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    const log = row?.log ?? -1;
    const copied = row?.checkpointed ?? 0;
    // the writer starts the WAL over once a checkpoint has copied all of it
    const arrived = log >= lastLog ? copied - lastCopied : copied;
    if (log === lastLog) wait = Math.min(idleIntervalMs, Math.max(wait, ACTIVE_MAX_MS) * 2);
    else if (arrived < targetFrames) wait = Math.min(ACTIVE_MAX_MS, Math.max(wait, intervalMs) * 2);
    else wait = Math.max(intervalMs, wait / 2);
    lastLog = log;
    lastCopied = copied;
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
