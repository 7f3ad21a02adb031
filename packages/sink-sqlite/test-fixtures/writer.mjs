// Child process: emits `count` events through the service into one SQLite file, then reports its stats.
// argv: <dbPath> <writer index> <count>
import { createObservability } from '@obs/core';
import { createSqliteSink } from '../dist/index.js';

const [path, index, countText] = process.argv.slice(2);
const count = Number(countText);
const sink = createSqliteSink({ path });
const obs = createObservability({
  source: `writer-${index}`,
  sinks: [{ sink, queue: { batchSize: 500, capacity: 4096, overflow: 'block' } }],
});
for (let i = 0; i < count; i++) {
  obs.withContext({ run_id: `w${index}-run-${i % 10}`, session_id: `shared-${i % 3}` }, () =>
    i % 5 === 0
      ? obs.emit('llm.call', { provider: 'p', model: 'm', prompt_tokens: 2, completion_tokens: 1 })
      : obs.emit('log', { level: 'info', message: `event ${i} of writer ${index}` }),
  );
  if (i % 500 === 499) await obs.ready();
}
await obs.flush();
const stats = obs.stats();
await obs.shutdown();
process.stdout.write(
  `${JSON.stringify({ emitted: stats.emitted, written: stats.sinks[0].written, dropped: stats.dropped, failed: stats.failed })}\n`,
);
