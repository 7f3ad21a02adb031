import { parentPort, workerData } from 'node:worker_threads';
import type { EventRecord } from '@obs/core';
import { eventFactsTransfer, type PackedEventFacts, packEventFacts } from '../event-facts.js';
import type { JsonlCursor } from './read-jsonl.js';
import { importTrailInto, type TrailImportProgress } from './trail-import.js';

/** What {@link importTrailInThread}'s reading thread is given: the trail, events per batch, batches pending at once, where to start. */
export interface TrailImportJob {
  trail: string;
  batchSize: number;
  concurrency?: number;
  from?: JsonlCursor;
}

/** The reading thread's messages: a batch to commit, a committed batch's position, the end. */
export type TrailReadMessage =
  | { type: 'batch'; id: number; lines: string[]; facts: PackedEventFacts }
  | { type: 'committed'; progress: TrailImportProgress; cursor: JsonlCursor }
  | { type: 'done'; progress: TrailImportProgress }
  | { type: 'failed'; message: string; code?: string };

/** The writing thread's answer to a batch. */
export interface TrailReadReply {
  id: number;
  inserted?: number;
  error?: string;
}

const job = workerData as TrailImportJob;
const port = parentPort!;
const waiting = new Map<number, { resolve: (inserted: number) => void; reject: (error: Error) => void }>();
let nextId = 0;
port.on('message', ({ id, inserted, error }: TrailReadReply) => {
  const batch = waiting.get(id);
  waiting.delete(id);
  if (error === undefined) batch?.resolve(inserted ?? 0);
  else batch?.reject(new Error(error));
});

/** Posts each parsed batch to the writing thread: canonical lines as read, facts packed (nothing parsed there). */
const sink = {
  write(batch: EventRecord[]): Promise<number> {
    const id = nextId++;
    const facts = packEventFacts(batch.map((r) => r.envelope));
    const lines = batch.map((r) => r.json);
    port.postMessage(
      { type: 'batch', id, lines, facts } satisfies TrailReadMessage,
      eventFactsTransfer(facts),
    );
    return new Promise<number>((resolve, reject) => waiting.set(id, { resolve, reject }));
  },
};

importTrailInto(job.trail, sink, {
  batchSize: job.batchSize,
  ...(job.concurrency === undefined ? {} : { concurrency: job.concurrency }),
  ...(job.from ? { from: job.from } : {}),
  onCommitted: (progress, cursor) =>
    port.postMessage({ type: 'committed', progress, cursor } satisfies TrailReadMessage),
}).then(
  (progress) => {
    port.postMessage({ type: 'done', progress } satisfies TrailReadMessage);
    port.close();
  },
  (error: Error & { code?: unknown }) => {
    const code = typeof error.code === 'string' ? { code: error.code } : {};
    port.postMessage({ type: 'failed', message: error.message, ...code } satisfies TrailReadMessage);
    port.close();
  },
);
