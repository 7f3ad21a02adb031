// Run by partial-write.test.ts under a small file-size limit (`ulimit -f`). Writes a small batch, one
// too big for the limit (the kernel writes part of it, then the next write(2) fails with EFBIG; Node
// ignores SIGXFSZ), then another small one. Prints each write's outcome as a JSON array.
import { writeSync } from 'node:fs';
import { makeRecord } from '@obs/core/testing';
import { createJsonlSink } from '../dist/index.js';

const [dir, durability] = process.argv.slice(2);
const sink = createJsonlSink({ dir, durability, rotation: { maxBytes: 1_000_000 } });
const outcomes = [];
for (const [seq, size] of [
  [1, 200],
  [2, 20_000],
  [3, 200],
]) {
  const record = makeRecord(seq, { payload: { level: 'info', message: 'x'.repeat(size) } });
  try {
    await sink.write([record]);
    outcomes.push('ok');
  } catch (error) {
    outcomes.push(error.message);
  }
}
await sink.close();
writeSync(1, JSON.stringify(outcomes));
