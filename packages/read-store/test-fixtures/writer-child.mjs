// Writes events one at a time into an obs store, as another process would, after a "go" line on
// stdin. After each event is flushed it prints `<event_id> <epoch ms>` (the moment it was durable).
// Usage: node writer-child.mjs <sqlite|jsonl|postgres> <path or URL> <count> <gapMs> [postgres schema]
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createObservability } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createPostgresSink } from '@obs/sink-postgres';
import { createSqliteSink } from '@obs/sink-sqlite';

const [kind, path, count, gap, schema] = process.argv.slice(2);
const sink =
  kind === 'sqlite'
    ? createSqliteSink({ path })
    : kind === 'postgres'
      ? createPostgresSink({ url: path, schema })
      : createJsonlSink({ dir: path, durability: 'flush' });
const obs = createObservability({
  source: 'child-writer',
  sinks: [{ sink, queue: { lingerMs: 0 } }],
  defaultRunId: 'run-child',
});
writeSync(1, 'ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
for (let i = 0; i < Number(count); i++) {
  const type = i % 2 === 0 ? 'log' : 'agent.thought';
  const e =
    type === 'log'
      ? obs.emit('log', { level: 'info', message: `child ${i}` })
      : obs.emit('agent.thought', { content: `thinking ${i}` });
  await obs.flush();
  writeSync(1, `${e.event_id} ${Date.now()}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(gap)));
}
await obs.shutdown();
writeSync(1, 'done\n');
process.exit(0);
