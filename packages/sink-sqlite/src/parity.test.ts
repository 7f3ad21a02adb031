import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuiltinPayloads, builtinPayloadSchemas, createObservability, type Sink } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { built } from './test/built.js';
import { tempDir } from './test/fixtures.js';

// every file sink starts the checkpoint thread: see test/built.ts
const { createSqliteSink, importTrail } = await built<typeof import('./index.js')>('index.js');

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const sha = 'a'.repeat(64);
/** One payload of every built-in type, with text that stresses escaping. */
const samples: { [K in keyof BuiltinPayloads]: BuiltinPayloads[K] } = {
  'run.started': {
    agent: 'planner',
    goal: 'ship "it"',
    input: { z: 1, a: [1, { y: null, b: 'é' }] },
    metadata: { k: 'v' },
  },
  'run.finished': {
    outcome: 'success',
    summary: 'done\nfine',
    output: [1, 2.5, -0],
    total_tokens: 9,
    total_cost_usd: 0.1,
  },
  'agent.thought': { content: 'think \u2028 \u{1F600} \\ "quoted"', kind: 'plan' },
  'tool.call': { tool: 'search', call_id: 'c1', arguments: { q: 'x', opts: { limit: 5, deep: true } } },
  'tool.result': {
    tool: 'search',
    call_id: 'c1',
    success: false,
    error: { message: 'boom', stack: 'Error: boom\n  at x' },
  },
  'llm.call': {
    provider: 'openai',
    model: 'gpt',
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    cost_usd: 1e-7,
    latency_ms: 12.5,
    input: [{ role: 'user', content: 'hi' }],
    output: 'hello',
    finish_reason: 'stop',
    temperature: 0.2,
  },
  'decision.trace': { decision: 'go', rationale: 'because', options: ['go', 'stop'], confidence: 0.75 },
  orchestration: { change: 'route', from: null, to: 'fast', reason: 'load' },
  span: { operation: 'op', component: 'c', layer: 'l', input_summary: 'in', output_summary: 'out' },
  log: { level: 'warn', message: 'careful', fields: { n: 1e21, s: '\u0000ctl' } },
  error: { stage: 'plan', message: 'bad', stack: 'Error: bad', recoverable: true, type: 'TypeError' },
  artifact: { uri: 'file:///tmp/x.txt', mime: 'text/plain', bytes: 3, sha256: sha, name: 'x' },
  'observed.op': { endpoint: '/v1/x', success: true, input_summary: 'i', output_summary: 'o' },
  'backup.completed': {
    key: 'b/1',
    bytes: 10,
    database_bytes: 20,
    sha256: sha,
    event_count: 3,
    duration_ms: 4,
    verified: true,
    drill_ms: 2,
  },
  'backup.failed': { message: 'nope', attempt: 1, will_retry: true, code: 'E', stage: 'drill', key: 'b/1' },
  'obs.dropped': {
    sink: 'stream',
    counts: { drop_newest: 3, write_failed: 1 },
    lost: 4,
    totals: { drop_newest: 5, write_failed: 1 },
    total_lost: 6,
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-01T00:00:10.000Z',
  },
};

async function loadJsonlSink(jsonlDir: string): Promise<Sink | undefined> {
  try {
    const { createJsonlSink } = (await import('@obs/sink-jsonl')) as {
      createJsonlSink: (o: { dir: string; name?: string }) => Sink;
    };
    return createJsonlSink({ dir: jsonlDir, name: 'jsonl' });
  } catch {
    return undefined;
  }
}

it('stores every built-in type byte-identical to the canonical lines of the memory and JSONL sinks (dual)', async () => {
  expect(Object.keys(samples).sort()).toEqual(Object.keys(builtinPayloadSchemas).sort());
  const path = join(dir, 'obs.db');
  const jsonlDir = join(dir, 'jsonl');
  const memory = createMemorySink();
  const jsonl = await loadJsonlSink(jsonlDir);
  const sinks: Sink[] = [createSqliteSink({ path }), memory, ...(jsonl ? [jsonl] : [])];
  const obs = createObservability({ source: 'parity', sinks, defaultRunId: 'run-p' });
  for (const [type, payload] of Object.entries(samples)) {
    obs.withContext({ session_id: 's', turn_number: 2, request_id: 'r', cycle: 1 }, () =>
      obs.emit(type as 'log', payload as BuiltinPayloads['log'], {
        status: type === 'error' ? 'error' : 'ok',
        duration_ms: 1.5,
      }),
    );
  }
  await obs.shutdown();

  const db = new Database(path, { readonly: true });
  const stored = db.prepare('SELECT json FROM events ORDER BY ts, id').pluck().all() as string[];
  db.close();
  expect(memory.lines).toHaveLength(Object.keys(samples).length);
  expect(stored).toEqual(memory.lines);

  expect(jsonl, 'the @obs/sink-jsonl half of the dual parity test needs that package built').toBeDefined();
  const files = readdirSync(jsonlDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.jsonl'));
  const lines = files.flatMap((f) => readFileSync(join(jsonlDir, f), 'utf8').split('\n').filter(Boolean));
  expect(lines).toEqual(stored);

  // the bulk rebuild from that trail gives the store the live writer made, summaries and rollups included
  const rebuilt = join(dir, 'rebuilt.db');
  expect(await importTrail(jsonlDir, { into: rebuilt })).toMatchObject({
    inserted: lines.length,
    corrupt: 0,
  });
  expect(storeRows(rebuilt)).toEqual(storeRows(path));
});

/** Every table a writer keeps, keys resolved to names so that the order keys were made in does not matter. */
function storeRows(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all();
    return {
      events: all('SELECT * FROM events ORDER BY ts, id'),
      runs: all(
        'SELECT r.*, s.session_id AS session FROM runs r LEFT JOIN sessions s USING (session_key) ORDER BY run_id',
      ),
      sessions: all('SELECT * FROM sessions ORDER BY session_id'),
      rollups: all(`SELECT r.bucket_ms, r.bucket_ts, d.dims, r.event_count, r.error_count, r.prompt_tokens,
        r.completion_tokens, r.total_tokens, r.cost_usd, r.first_ts, r.last_ts, r.duration_max, hex(r.latency) AS latency
        FROM stats_rollups r JOIN stats_rollup_dims d USING (dim_key) ORDER BY 1, 2, 3`),
    };
  } finally {
    db.close();
  }
}
