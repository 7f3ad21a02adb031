// Emits events through a `flush`-durability JSONL sink until killed. After each `await obs.flush()`
// it prints the last seq emitted: a printed seq is one the child may consider written.
import { writeSync } from 'node:fs';
import { createObservability } from '@obs/core';
import { createJsonlSink } from '../dist/index.js';

const [dir, runId] = process.argv.slice(2);
const sink = createJsonlSink({ dir, durability: 'flush' });
const obs = createObservability({
  source: 'crash-child',
  sinks: [sink],
  defaultRunId: runId,
});
writeSync(1, 'ready\n');
for (;;) {
  const burst = 1 + Math.floor(Math.random() * 50);
  let last = 0;
  for (let i = 0; i < burst; i++) {
    const padding = 'x'.repeat(Math.floor(Math.random() * 4000));
    last = obs.emit('log', { level: 'info', message: `event ${i} ${padding}` }).seq;
  }
  await obs.flush();
  writeSync(1, `${last}\n`);
}
