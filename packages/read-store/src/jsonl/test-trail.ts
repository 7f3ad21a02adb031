import { createObservability } from '@obs/core';
import { createJsonlSink, type JsonlSinkOptions } from '@obs/sink-jsonl';
import type { ReadStore } from '../read-store.js';

const T0 = Date.UTC(2026, 2, 1);

/** Writes `count` events over a few runs and sessions (spans, errors, LLM calls, finished runs) to a trail. */
export async function writeTrail(
  dir: string,
  count: number,
  options: Partial<JsonlSinkOptions> = {},
  from = 0,
): Promise<void> {
  let now = T0 + from * 7;
  const obs = createObservability({
    source: 'writer',
    sinks: [createJsonlSink({ dir, ...options })],
    clock: () => now,
  });
  for (let i = from; i < from + count; i++) {
    now += 7;
    const run = {
      run_id: `run-${i % 9}`,
      session_id: i % 4 === 0 ? null : `session-${i % 3}`,
      turn_number: i % 5,
    };
    if (i % 10 === 0)
      obs.emit('run.finished', { outcome: i % 20 === 0 ? 'success' : 'failure' }, { ...run, duration_ms: i });
    else if (i % 3 === 0)
      obs.emit(
        'llm.call',
        { provider: 'p', model: `m${i % 2}`, prompt_tokens: i, completion_tokens: 2, cost_usd: 0.01 },
        {
          ...run,
          status: i % 6 === 0 ? 'error' : 'ok',
          duration_ms: i % 97,
        },
      );
    else
      await obs.withContext(run, () =>
        obs.span(`op-${i % 4}`, async () => {
          obs.emit('log', { level: 'info', message: `line ${i} "quoted"` });
        }),
      );
  }
  await obs.shutdown();
}

/** Everything a store answers about its trail, for comparing two reads of it. */
export async function snapshot(store: ReadStore): Promise<unknown> {
  const events: string[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await store.listEvents({ limit: 1000, ...(cursor ? { cursor } : {}) });
    events.push(...page.items.map((e) => e.json));
    cursor = page.next_cursor ?? undefined;
  }
  const runs = (await store.listRuns({ limit: 1000 })).items;
  return {
    events,
    runs,
    sessions: (await store.listSessions({ limit: 1000 })).items,
    trees: await Promise.all(runs.map((r) => store.getTraceTree(r.run_id))),
    stats: await store.stats({ groupBy: 'model' }),
    errors: (await store.listEvents({ status: 'error', text: 'LLM', order: 'desc', limit: 1000 })).items.map(
      (e) => e.json,
    ),
    skipped: store.skippedLines?.(),
  };
}
