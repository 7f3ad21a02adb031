import { parentPort, workerData } from 'node:worker_threads';
import type { EventRecord } from '@obs/core';
import { importTrailInto, type JsonlCursor, type TrailImportProgress } from '@obs/store-format';
import { factsTransfer, type PackedFacts, packFacts } from './event-facts.js';

/** What the reading thread is given. */
export interface TrailReadJob {
  trail: string;
  batchSize: number;
  from?: JsonlCursor;
}

/** The reading thread's messages: a batch to commit, a committed batch's position, the end. */
export type TrailReadMessage =
  | { type: 'batch'; id: number; lines: string[]; facts: PackedFacts }
  | { type: 'committed'; progress: TrailImportProgress; cursor: JsonlCursor }
  | { type: 'done'; progress: TrailImportProgress }
  | { type: 'failed'; message: string };

/** The writing thread's answer to a batch. */
export interface TrailReadReply {
  id: number;
  inserted?: number;
  error?: string;
}

const job = workerData as TrailReadJob;
const port = parentPort!;
const waiting = new Map<number, { resolve: (inserted: number) => void; reject: (error: Error) => void }>();
let nextId = 0;
let duplicates = 0;

port.on('message', ({ id, inserted, error }: TrailReadReply) => {
  const batch = waiting.get(id);
  waiting.delete(id);
  if (error === undefined) batch?.resolve(inserted ?? 0);
  else batch?.reject(new Error(error));
});

/** Posts each parsed batch to the writing thread: canonical lines as read, facts packed (nothing parsed there). */
const sink = {
  get duplicates() {
    return duplicates;
  },
  write(batch: EventRecord[]): Promise<void> {
    const id = nextId++;
    const facts = packFacts(batch.map((r) => r.envelope));
    const lines = batch.map((r) => r.json);
    port.postMessage({ type: 'batch', id, lines, facts } satisfies TrailReadMessage, factsTransfer(facts));
    return new Promise<number>((resolve, reject) => waiting.set(id, { resolve, reject })).then((inserted) => {
      duplicates += batch.length - inserted;
    });
  },
};

importTrailInto(job.trail, sink, {
  batchSize: job.batchSize,
  ...(job.from ? { from: job.from } : {}),
  onCommitted: (progress, cursor) =>
    port.postMessage({ type: 'committed', progress, cursor } satisfies TrailReadMessage),
}).then(
  (progress) => {
    port.postMessage({ type: 'done', progress } satisfies TrailReadMessage);
    port.close();
  },
  (error: Error) => {
    port.postMessage({ type: 'failed', message: error.message } satisfies TrailReadMessage);
    port.close();
  },
);
