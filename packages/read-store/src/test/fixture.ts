import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability, type Envelope, type Observability, uuidv7 } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createPostgresSink } from '@obs/sink-postgres';
import { createSqliteSink } from '@obs/sink-sqlite';

/** The same events written by every sink: a SQLite database, a JSONL trail and, when asked, PostgreSQL. */
export interface Fixture {
  dir: string;
  sqlitePath: string;
  jsonlDir: string;
  /** The PostgreSQL store written too, when `buildFixture` was given one. */
  postgres?: { url: string; schema: string };
  /** Every event, in the order it was emitted (the trail order). */
  events: Envelope[];
  /** Writes more events to both stores (through new sinks, as another writer would). */
  append(write: (obs: Observability) => void | Promise<void>): Promise<Envelope[]>;
  cleanup(): void;
}

/** Start of the fixture's clock. */
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0, 0);
/** A text that needs CSV quoting and starts like a spreadsheet formula. */
export const HOSTILE_TEXT = '=HYPERLINK("http://x"),a "quoted", comma\nnew line';
/** Events of the bulk run (shared timestamps, for keyset ties). */
export const BULK = 1100;

/** Writes the fixture events through `createObservability` with every sink, then closes them. */
export async function buildFixture(
  options: { bulk?: number; postgres?: { url: string; schema: string } } = {},
): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-read-store-'));
  const sqlitePath = join(dir, 'obs.db');
  const jsonlDir = join(dir, 'trail');
  let now = T0;
  const events: Envelope[] = [];
  const open = () => {
    const jsonl = createJsonlSink({ dir: jsonlDir });
    return createObservability({
      source: 'agent-a',
      sinks: [
        createSqliteSink({ path: sqlitePath }),
        jsonl,
        ...(options.postgres ? [createPostgresSink(options.postgres)] : []),
      ],
      clock: () => now,
    });
  };
  const run = async (write: (obs: Observability) => void | Promise<void>) => {
    const obs = open();
    const from = events.length;
    const emitted: Envelope[] = [];
    const tap = (e: Envelope) => {
      emitted.push(e);
      return e;
    };
    const wrapped = new Proxy(obs, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key === 'emit') return (...args: Parameters<typeof obs.emit>) => tap(target.emit(...args));
        if (key === 'ingestBatch') return (inputs: unknown[]) => target.ingestBatch(inputs).map(tap);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await write(wrapped);
    await obs.shutdown();
    events.push(...emitted);
    return events.slice(from);
  };
  const tick = (ms: number) => {
    now += ms;
  };

  await run(async (obs) => {
    await obs.withContext({ run_id: 'run-1', session_id: 'sess-1', turn_number: 1 }, async () => {
      obs.emit('run.started', { agent: 'planner', goal: 'book a flight' });
      tick(5);
      const plan = obs.emit(
        'span',
        { operation: 'plan', component: 'Planner', layer: 'agent' },
        { status: 'ok', duration_ms: 40 },
      );
      obs.withContext({ parent_event_id: plan.event_id }, () => {
        tick(2);
        obs.emit(
          'llm.call',
          { provider: 'openai', model: 'gpt-4o', prompt_tokens: 100, completion_tokens: 20, cost_usd: 0.5 },
          { status: 'ok', duration_ms: 30 },
        );
        tick(3);
        const call = obs.emit('tool.call', { tool: 'search', arguments: { q: 'LIS' } }, { duration_ms: 10 });
        tick(1);
        obs.emit(
          'tool.result',
          { tool: 'search', success: true, output: 'found 3' },
          { status: 'ok', parent_event_id: call.event_id },
        );
      });
      tick(10);
      obs.emit(
        'span',
        { operation: 'act', component: 'Executor', layer: 'tool' },
        { status: 'error', duration_ms: 120 },
      );
      tick(10);
      obs.emit('run.finished', { outcome: 'success', summary: 'done' }, { status: 'ok', duration_ms: 200 });
    });
    tick(1000);
    obs.withContext({ run_id: 'run-2', session_id: 'sess-1', turn_number: 2 }, () => {
      obs.emit('run.started', { agent: 'planner' });
      tick(4);
      obs.emit(
        'llm.call',
        {
          provider: 'anthropic',
          model: 'claude',
          prompt_tokens: 50,
          completion_tokens: 5,
          total_tokens: 60,
          cost_usd: 0.25,
        },
        { status: 'error', duration_ms: 70 },
      );
      tick(4);
      obs.emit('error', { stage: 'act', message: 'rate limited', recoverable: false });
      tick(4);
      obs.emit('run.finished', { outcome: 'failure' }, { status: 'error' });
    });
    tick(1000);
    for (let i = 1; i <= 10; i++) {
      tick(1);
      obs.emit(
        'span',
        { operation: 'fetch', layer: 'tool' },
        { run_id: 'run-3', status: 'ok', duration_ms: i * 10 },
      );
    }
    obs.ingestBatch([
      {
        event_type: 'log',
        run_id: 'run-3',
        source: 'agent-b',
        payload: { level: 'warn', message: HOSTILE_TEXT },
      },
      {
        event_type: 'log',
        run_id: 'run-3',
        source: 'agent-b',
        payload: { level: 'info', message: 'MiXeD Case needle_%' },
      },
    ]);
    tick(1000);
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() => uuidv7(now));
    obs.ingestBatch([
      {
        event_type: 'span',
        run_id: 'run-cycle',
        event_id: a,
        parent_event_id: b,
        payload: { operation: 'a' },
      },
      {
        event_type: 'span',
        run_id: 'run-cycle',
        event_id: b,
        parent_event_id: a,
        payload: { operation: 'b' },
      },
      {
        event_type: 'span',
        run_id: 'run-cycle',
        event_id: c,
        parent_event_id: c,
        payload: { operation: 'self' },
      },
      {
        event_type: 'span',
        run_id: 'run-cycle',
        event_id: d,
        parent_event_id: a,
        payload: { operation: 'under-cycle' },
      },
      {
        event_type: 'span',
        run_id: 'run-cycle',
        event_id: e,
        parent_event_id: uuidv7(now),
        payload: { operation: 'orphan' },
      },
    ]);
    tick(1000);
    const bulk = options.bulk ?? BULK;
    for (let i = 0; i < bulk; i++) {
      if (i % 100 === 0) tick(1);
      obs.emit('log', { level: 'info', message: `bulk ${i}` }, { run_id: 'run-bulk', session_id: 'sess-2' });
    }
  });

  return {
    dir,
    sqlitePath,
    jsonlDir,
    ...(options.postgres ? { postgres: options.postgres } : {}),
    events,
    append: (write) => {
      tick(1000);
      return run(write);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
