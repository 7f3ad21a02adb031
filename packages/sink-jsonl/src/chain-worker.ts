import { parentPort, workerData } from 'node:worker_threads';
import { TrailChain, type TrailChainConfig } from './trail-chain.js';

/** A chain's settings as they cross to the thread (its clock and error callback stay behind). */
export type ChainSettings = Omit<TrailChainConfig, 'clock' | 'onError'>;

/**
 * A call of one chain (`id`), in the order the trail files made them; `now` is the sink's clock at
 * the call, so seals carry the times they would carry in-thread.
 */
export type ChainRequest =
  | { op: 'chain'; id: number; settings: ChainSettings }
  | { op: 'start'; id: number; now: number; path: string; file: string; size: number }
  | { op: 'appended'; id: number; now: number; at: number; length: number; taken: number }
  | { op: 'copied'; id: number; now: number; bytes: Uint8Array }
  | { op: 'seal'; id: number; now: number }
  | { op: 'close'; id: number; now: number; next: string | null }
  | { op: 'rotate'; id: number; now: number; file: string }
  | { op: 'abandon'; id: number }
  | { op: 'sync'; ticket: number; forget: number[] };

/** What the thread tells the sink: a chain's failure, or that every request before a `sync` is done. */
export type ChainReply = { type: 'error'; id: number; message: string } | { type: 'synced'; ticket: number };

/** `ring`: the chunks handed over; `used`: its bytes not hashed yet (an `Int32Array` of one). */
export interface ChainWorkerData {
  ring: SharedArrayBuffer;
  used: SharedArrayBuffer;
}

const port = parentPort!;
const data = workerData as ChainWorkerData;
const ring = Buffer.from(data.ring);
const used = new Int32Array(data.used);
const chains = new Map<number, TrailChain>();
let now = 0;

function create(id: number, settings: ChainSettings): TrailChain {
  return new TrailChain({
    ...settings,
    clock: () => now,
    onError: (error) => port.postMessage({ type: 'error', id, message: error.message } satisfies ChainReply),
  });
}

function apply(request: ChainRequest): void {
  switch (request.op) {
    case 'chain':
      chains.set(request.id, create(request.id, request.settings));
      return;
    case 'sync':
      for (const id of request.forget) chains.delete(id);
      port.postMessage({ type: 'synced', ticket: request.ticket } satisfies ChainReply);
      return;
  }
  const chain = chains.get(request.id)!;
  if (request.op === 'abandon') {
    chain.abandon();
    return;
  }
  now = request.now;
  switch (request.op) {
    case 'start':
      chain.start(request.path, request.file, request.size);
      return;
    case 'appended':
      try {
        chain.appended(ring.subarray(request.at, request.at + request.length));
      } finally {
        Atomics.sub(used, 0, request.taken);
        Atomics.notify(used, 0);
      }
      return;
    case 'copied': {
      const { bytes } = request;
      try {
        chain.appended(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      } finally {
        Atomics.sub(used, 0, bytes.byteLength);
        Atomics.notify(used, 0);
      }
      return;
    }
    case 'seal':
      chain.seal();
      return;
    case 'close':
      chain.close(request.next);
      return;
    case 'rotate':
      chain.rotate(request.file);
      return;
  }
}

port.on('message', (request: ChainRequest) => {
  try {
    apply(request);
  } catch (error) {
    const id = 'id' in request ? request.id : -1;
    port.postMessage({ type: 'error', id, message: (error as Error).message } satisfies ChainReply);
  }
});
