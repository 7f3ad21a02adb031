import type { Envelope } from '../envelope.js';
import { OBS_ERROR_CODES, ObsError } from '../errors.js';
import type { EventRecord } from '../event-record.js';
import type { Sink } from '../sink.js';

/** Options of {@link createMemorySink}. */
export interface MemorySinkOptions {
  name?: string;
  /** Fail this many `write` calls before succeeding (to exercise retries); `Infinity` fails every write. */
  failWrites?: number;
  /** Wait this long in every `write` (a slow sink). */
  writeDelayMs?: number;
}

/** A sink that keeps every written event in memory; for tests. */
export interface MemorySink extends Sink {
  /** Written envelopes, in write order. */
  readonly events: Envelope[];
  /** Canonical JSON lines, in write order. */
  readonly lines: string[];
  /** Sizes of the batches `write` received. */
  readonly batches: number[];
  readonly closed: boolean;
  /** Makes the next `n` writes fail. */
  failNext(n: number): void;
  clear(): void;
}

/** Creates an in-memory sink (see {@link MemorySink}). */
export function createMemorySink(options: MemorySinkOptions = {}): MemorySink {
  let failures = options.failWrites ?? 0;
  let closed = false;
  const events: Envelope[] = [];
  const lines: string[] = [];
  const batches: number[] = [];
  return {
    name: options.name ?? 'memory',
    events,
    lines,
    batches,
    get closed() {
      return closed;
    },
    async write(batch: readonly EventRecord[]) {
      if (closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, 'memory sink is closed');
      if (options.writeDelayMs) await new Promise((r) => setTimeout(r, options.writeDelayMs));
      if (failures > 0) {
        failures--;
        throw new Error('memory sink: injected write failure');
      }
      batches.push(batch.length);
      for (const record of batch) {
        events.push(record.envelope);
        lines.push(record.json);
      }
    },
    flush() {},
    close() {
      closed = true;
    },
    failNext(n: number) {
      failures = n;
    },
    clear() {
      events.length = 0;
      lines.length = 0;
      batches.length = 0;
    },
  };
}
