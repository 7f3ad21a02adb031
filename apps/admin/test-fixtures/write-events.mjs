// Writes events into an obs store from another process, as an agent would:
//   node write-events.mjs <sqlite|jsonl> <db file|dir> <run id> <message> [count]
// Prints `flushed <epoch ms>` once every event is in the store.
import { createObservability } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createSqliteSink } from '@obs/sink-sqlite';

const [kind, target, runId, message, countArg = '1'] = process.argv.slice(2);
if (!kind || !target || !runId || !message) {
  console.error('usage: write-events.mjs <sqlite|jsonl> <target> <run id> <message> [count]');
  process.exit(2);
}
const sink =
  kind === 'sqlite'
    ? createSqliteSink({ path: target })
    : createJsonlSink({ dir: target, durability: 'flush' });
const obs = createObservability({ source: 'writer-process', sinks: [sink] });
for (let i = 0; i < Number(countArg); i++) {
  obs.emit('log', { level: 'info', message: `${message} ${i}` }, { run_id: runId });
}
await obs.flush();
console.log(`flushed ${Date.now()}`);
await obs.shutdown();
