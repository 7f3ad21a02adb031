import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChainReply, ChainRequest, ChainWorkerData } from './chain-worker.js';
import type { ChainWriter } from './chain-writer.js';
import type { TrailChainConfig } from './trail-chain.js';

/** Shared memory the written chunks are copied into for the thread; a chunk waits for room in it. */
const RING_BYTES = 2 * 1024 * 1024;
/** Chunks larger than this cross as a copy of their own instead of through the ring. */
const RING_CHUNK_MAX = RING_BYTES / 4;
/** How long one wait for room lasts before it checks again that the thread is alive. */
const WAIT_SLICE_MS = 100;

/**
 * The thread that runs the hash chains of every JSONL sink in the process (SHA-256 + CRC-32 of
 * every written byte, and the seal records). A trail file copies each chunk it wrote into a ring
 * of shared memory and goes on; the thread hashes the chunks in order. When the ring is full the
 * writer waits for room (bounded memory, nothing skipped). Seals lag the data by what the thread
 * has not hashed yet: a crash leaves those lines unsealed, as a crash between seals does in-thread,
 * and the next writer seals them. Runs `chain-worker.js`, built next to this module; one thread
 * per process, started with the first chain and unref'd (it never keeps a process alive).
 */
export class ChainThread {
  static #shared: ChainThread | undefined;
  readonly #worker: Worker;
  readonly #ring: Buffer;
  /** `[0]`: bytes of the ring in use (copied, not hashed yet). */
  readonly #used: Int32Array;
  readonly #chains = new Map<number, TrailChainConfig>();
  readonly #tickets = new Map<number, () => void>();
  #writeAt = 0;
  #nextId = 0;
  #nextTicket = 0;
  #alive = true;

  private constructor() {
    const ring = new SharedArrayBuffer(RING_BYTES);
    const used = new SharedArrayBuffer(4);
    this.#ring = Buffer.from(ring);
    this.#used = new Int32Array(used);
    this.#worker = new Worker(new URL('./chain-worker.js', import.meta.url), {
      workerData: { ring, used } satisfies ChainWorkerData,
      // it keeps little: the segments' digests and CRCs, and records to write
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.#worker.unref();
    this.#worker.on('message', (reply: ChainReply) => this.#reply(reply));
    this.#worker.on('error', (error) => this.#died(error));
    this.#worker.on('exit', (code) => this.#died(new Error(`the thread exited with code ${code}`)));
  }

  /** The process's thread (started anew after a death); undefined when it cannot run here. */
  static shared(): ChainThread | undefined {
    if (ChainThread.#shared?.running) return ChainThread.#shared;
    // from src/ (the package's own tests) there is no built worker beside this module
    if (!existsSync(fileURLToPath(new URL('./chain-worker.js', import.meta.url)))) return undefined;
    try {
      ChainThread.#shared = new ChainThread();
    } catch {
      return undefined;
    }
    return ChainThread.#shared;
  }

  /** False once the thread has died (the next {@link ChainThread.shared} starts another). */
  get running(): boolean {
    return this.#alive;
  }

  /** A chain that runs on the thread, with `config`'s clock read here at each call. */
  chain(config: TrailChainConfig): ChainWriter & { readonly id: number } {
    const id = this.#nextId++;
    this.#chains.set(id, config);
    const { clock: _clock, onError: _onError, ...settings } = config;
    this.#post({ op: 'chain', id, settings });
    return new RemoteChain(this, id, config.clock);
  }

  /** Copies `buffer` for the thread; waits while the ring has no room for it. */
  appended(id: number, now: number, buffer: Buffer): void {
    if (!this.#alive) return;
    const { length } = buffer;
    if (length > RING_CHUNK_MAX) {
      this.#waitForRoom(length);
      const bytes = new Uint8Array(buffer);
      Atomics.add(this.#used, 0, length);
      this.#worker.postMessage({ op: 'copied', id, now, bytes } satisfies ChainRequest, [bytes.buffer]);
      return;
    }
    let at = this.#writeAt;
    const skip = at + length > RING_BYTES ? RING_BYTES - at : 0;
    if (skip > 0) at = 0;
    const taken = skip + length;
    this.#waitForRoom(taken);
    if (!this.#alive) return;
    buffer.copy(this.#ring, at);
    Atomics.add(this.#used, 0, taken);
    this.#writeAt = at + length;
    this.#post({ op: 'appended', id, now, at, length, taken });
  }

  /**
   * Waits until `bytes` more fit the ring's budget (a copy larger than the ring: until the thread is
   * idle). `used` counts copies in flight too, so ring chunks wait for them: memory stays bounded.
   */
  #waitForRoom(bytes: number): void {
    for (let used = Atomics.load(this.#used, 0); used > 0 && used + bytes > RING_BYTES && this.#alive; ) {
      Atomics.wait(this.#used, 0, used, WAIT_SLICE_MS);
      used = Atomics.load(this.#used, 0);
    }
  }

  /** Posts a request, in order after every earlier one. */
  post(request: ChainRequest): void {
    this.#post(request);
  }

  /**
   * Resolves once the thread has done every request made before the call; `forget`: chains that
   * will make no more calls (a closed sink's), dropped on both sides once done.
   */
  sync(forget: readonly number[] = []): Promise<void> {
    for (const id of forget) this.#chains.delete(id);
    if (!this.#alive) return Promise.resolve();
    const ticket = this.#nextTicket++;
    // unref'd while idle; while a caller waits it must hold the loop open, or a bare process's
    // loop ends before the reply and the caller's promise never settles
    this.#worker.ref();
    const synced = new Promise<void>((resolve) => this.#tickets.set(ticket, resolve));
    this.#post({ op: 'sync', ticket, forget: [...forget] });
    return synced;
  }

  #post(request: ChainRequest): void {
    if (this.#alive) this.#worker.postMessage(request);
  }

  #reply(reply: ChainReply): void {
    if (reply.type === 'error') {
      this.#chains.get(reply.id)?.onError(new Error(reply.message));
      return;
    }
    this.#tickets.get(reply.ticket)?.();
    this.#tickets.delete(reply.ticket);
    if (this.#tickets.size === 0) this.#worker.unref();
  }

  #died(error: Error): void {
    if (!this.#alive) return;
    this.#alive = false;
    for (const config of this.#chains.values())
      config.onError(
        new Error(`the hash chain thread stopped (${error.message}); seals stop until a restart`),
      );
    for (const resolve of this.#tickets.values()) resolve();
    this.#tickets.clear();
  }
}

/** A {@link ChainWriter} whose calls run on a {@link ChainThread}. */
class RemoteChain implements ChainWriter {
  readonly #thread: ChainThread;
  readonly id: number;
  readonly #clock: () => number;

  constructor(thread: ChainThread, id: number, clock: () => number) {
    this.#thread = thread;
    this.id = id;
    this.#clock = clock;
  }

  start(path: string, file: string, size: number): void {
    this.#thread.post({ op: 'start', id: this.id, now: this.#clock(), path, file, size });
  }

  appended(buffer: Buffer): void {
    this.#thread.appended(this.id, this.#clock(), buffer);
  }

  seal(): void {
    this.#thread.post({ op: 'seal', id: this.id, now: this.#clock() });
  }

  close(next: string | null): void {
    this.#thread.post({ op: 'close', id: this.id, now: this.#clock(), next });
  }

  rotate(file: string): void {
    this.#thread.post({ op: 'rotate', id: this.id, now: this.#clock(), file });
  }

  abandon(): void {
    this.#thread.post({ op: 'abandon', id: this.id });
  }
}
