import type { EventRecord } from '../event-record.js';
import type { Sink } from '../sink.js';

/** A sink that drops every batch (optionally serializing it first); for benchmarks and tests. */
export function createDiscardSink(
  options: { name?: string; serialize?: boolean } = {},
): Sink & { count: number } {
  const sink = {
    name: options.name ?? 'discard',
    count: 0,
    write(batch: readonly EventRecord[]) {
      if (options.serialize) for (const record of batch) void record.json;
      sink.count += batch.length;
    },
    flush() {},
    close() {},
  };
  return sink;
}
