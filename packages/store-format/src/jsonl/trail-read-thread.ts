import { Worker } from 'node:worker_threads';
import { ObsError } from '@obs/core';
import { type FactEvent, unpackEventFacts } from '../event-facts.js';
import type { JsonlCursor } from './read-jsonl.js';
import type { TrailImportProgress } from './trail-import.js';
import type { TrailImportJob, TrailReadMessage, TrailReadReply } from './trail-read-worker.js';

/**
 * The reading thread's young generation: a batch's parsed envelopes live until it is packed, and in
 * V8's default young space they are copied by each scavenge (measured: garbage collection fell from
 * ~3–5 µs to ~1 µs per event of that thread with 96 MB).
 */
const YOUNG_GENERATION_MB = 96;

/**
 * Imports a trail with the reading in a second thread ({@link importTrailInto}'s loop: parse, check,
 * batch) and each batch committed on this thread by `commit`, which returns how many events were new
 * (the events carry the canonical line and the envelope fields store writers read, see
 * `packEventFacts`); the thread reads the next batch meanwhile, and with `concurrency` several
 * commits may be pending. `onCommitted` gets the position after each committed batch, in order.
 * Resolves with the totals once the last batch is committed; rejects with the first failure of either side.
 */
export function importTrailInThread(
  job: TrailImportJob,
  commit: (events: FactEvent[]) => number | Promise<number>,
  onCommitted: (progress: TrailImportProgress, cursor: JsonlCursor) => void,
): Promise<TrailImportProgress> {
  const worker = new Worker(new URL('./trail-read-worker.js', import.meta.url), {
    workerData: job,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  return new Promise<TrailImportProgress>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, progress?: TrailImportProgress) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve(progress!);
    };
    worker.on('message', (message: TrailReadMessage) => {
      if (settled) return;
      try {
        if (message.type === 'batch') {
          const { id } = message;
          Promise.resolve(commit(unpackEventFacts(message.facts, message.lines))).then(
            (inserted) => worker.postMessage({ id, inserted } satisfies TrailReadReply),
            (error: Error) => finish(error),
          );
        } else if (message.type === 'committed') {
          onCommitted(message.progress, message.cursor);
        } else if (message.type === 'done') {
          finish(undefined, message.progress);
        } else {
          // the reading thread's error (a missing trail, an unreadable directory), its code kept
          const { code } = message;
          finish(
            code?.startsWith('OBS_')
              ? new ObsError(code, message.message)
              : Object.assign(new Error(message.message), code ? { code } : {}),
          );
        }
      } catch (error) {
        // the thread stops at once: nothing after the failed batch is committed
        finish(error as Error);
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`the trail reading thread exited (code ${code})`)));
  });
}
