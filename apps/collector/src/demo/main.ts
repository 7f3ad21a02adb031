import { parseArgs } from 'node:util';
import { createObservability, type Envelope } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { simulateWorkload } from './workload.js';

const HELP = `obs demo: a simulated multi-agent workload through @obs/core

Options:
  --runs N       agent runs to simulate (default 12)
  --seed N       workload seed; the same seed gives the same workload (default 42)
  --help         show this help`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '12' },
    seed: { type: 'string', default: '42' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('--runs must be a positive integer and --seed an integer; see --help');
  process.exit(2);
}

const sink = createMemorySink({ name: 'memory' });
const obs = createObservability({ source: 'demo', sinks: [sink] });
const runIds = await simulateWorkload(obs, { seed, runs, concurrency: 4, cycles: [2, 4], stepDelayMs: 2 });
await obs.shutdown();

const first = sink.events.filter((e) => e.run_id === runIds[0]);
console.log(`Trace of ${runIds[0]}:`);
printTree(first);
const stats = obs.stats();
const byType = new Map<string, number>();
for (const e of sink.events) byType.set(e.event_type, (byType.get(e.event_type) ?? 0) + 1);
console.log(
  `\n${stats.emitted} events from ${runIds.length} runs; dropped ${stats.dropped}, failed ${stats.failed}`,
);
for (const [type, count] of [...byType].sort((a, b) => b[1] - a[1]))
  console.log(`  ${type.padEnd(16)} ${count}`);

function printTree(events: Envelope[]): void {
  const children = new Map<string | null, Envelope[]>();
  for (const e of events) children.set(e.parent_event_id, [...(children.get(e.parent_event_id) ?? []), e]);
  const walk = (parent: string | null, depth: number) => {
    for (const e of (children.get(parent) ?? []).sort(
      (a, b) => a.timestamp.localeCompare(b.timestamp) || a.seq - b.seq,
    )) {
      const name = e.event_type === 'span' ? String(e.payload['operation']) : e.event_type;
      const timing = e.duration_ms === null ? '' : ` (${Math.round(e.duration_ms)}ms)`;
      console.log(
        `${'  '.repeat(depth)}[${e.event_type}] ${name}${e.status ? ` → ${e.status}` : ''}${timing}`,
      );
      walk(e.event_id, depth + 1);
    }
  };
  walk(null, 0);
}
