import { createObservability } from '@obs/core';
import { createSqliteSink } from '@obs/sink-sqlite';
import { type DemoIds, writeDemoEvents } from './demo-events.js';

/** Run ids of the large store: `run-000000` … */
export const largeRunId = (i: number) => `run-${String(i).padStart(6, '0')}`;

/**
 * Fills a SQLite database with `runs` one-event runs (one second apart, the newest an hour ago)
 * plus the demo workload with a `bigRunEvents`-event run; through the real sink, in batches.
 */
export async function writeLargeStore(path: string, runs: number, bigRunEvents: number): Promise<DemoIds> {
  const sink = createSqliteSink({ path });
  const obs = createObservability({ source: 'load', sinks: [sink], queue: { batchSize: 2000 } });
  const base = Date.now() - 3_600_000 - runs * 1000;
  for (let i = 0; i < runs; i++) {
    obs.emit('run.started', { agent: 'load' }, { run_id: largeRunId(i), timestamp: base + i * 1000 });
    if (i % 5000 === 4999) await obs.flush();
  }
  await obs.shutdown();
  if (obs.stats().emitted !== runs || obs.stats().dropped > 0) throw new Error('large fixture lost events');
  return writeDemoEvents([createSqliteSink({ path })], { bigRunEvents, start: Date.now() - 1_800_000 });
}
