import type { EventRecord } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';

/** The key the CLI tests' trails are sealed with. */
export const TRAIL_KEY = 'cli-test-audit-key-of-enough-bytes';

/** Epoch ms of the start of day `d` of January 2026 (UTC). */
export const day = (d: number) => Date.UTC(2026, 0, 1 + d);

/**
 * A keyed trail of `days` daily files × `perDay` events, written through the real sink with its
 * clock on each file's day; `record(d, i)` makes the `i`-th event of day `d`.
 */
export async function writeDailyTrail(
  dir: string,
  record: (d: number, i: number) => EventRecord,
  days = 4,
  perDay = 50,
): Promise<void> {
  let now = day(0);
  const sink = createJsonlSink({
    dir,
    rotation: { intervalMs: 86_400_000 },
    chain: { everyLines: 20, everyMs: 3_600_000, key: TRAIL_KEY },
    clock: () => now,
  });
  for (let d = 0; d < days; d++) {
    now = day(d);
    await sink.write(Array.from({ length: perDay }, (_, i) => record(d, i)));
  }
  await sink.close();
}
