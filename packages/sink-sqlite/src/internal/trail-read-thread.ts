import { Worker } from 'node:worker_threads';
import { EventRecord } from '@obs/core';
import type { JsonlCursor, TrailImportProgress } from '@obs/store-format';
import { unpackFacts } from './event-facts.js';
import type { TrailReadJob, TrailReadMessage, TrailReadReply } from './trail-read-worker.js';

/**
 * Reads a trail in a second thread (store-format's import loop: parse, check, batch) and commits
 * each batch here with `commit`, which returns how many events were new; the thread reads the next
 * batch meanwhile. `onCommitted` gets the position after each committed batch. Resolves with the
 * totals once the last batch is committed; rejects with the first failure of either side.
 */
export function readTrailInThread(
  job: TrailReadJob,
  commit: (records: EventRecord[]) => number,
  onCommitted: (progress: TrailImportProgress, cursor: JsonlCursor) => void,
): Promise<TrailImportProgress> {
  const worker = new Worker(new URL('./trail-read-worker.js', import.meta.url), { workerData: job });
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
          const records = unpackFacts(message.facts, message.lines).map(
            (e) => new EventRecord(e.envelope, e.json),
          );
          worker.postMessage({ id: message.id, inserted: commit(records) } satisfies TrailReadReply);
        } else if (message.type === 'committed') {
          onCommitted(message.progress, message.cursor);
        } else if (message.type === 'done') {
          finish(undefined, message.progress);
        } else {
          finish(new Error(message.message));
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
