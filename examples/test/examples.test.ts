import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadCollectorConfig, startCollector } from '@obs/collector';
import { openReadStore, renderTraceTree, type StoredEvent } from '@obs/read-store';
import { afterAll, describe, expect, it } from 'vitest';

const EXAMPLES = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-examples-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment without any OBS_* variable of the machine running the tests. */
const cleanEnv = (env: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OBS_'))),
  ...env,
});

/**
 * Runs a program as a child process, asynchronously (the collector answering it may live in this
 * process). The timeout only turns an example that does not exit by itself into a failure.
 */
async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const { stdout, stderr } = await promisify(execFile)(command, args, {
    cwd: EXAMPLES,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { stdout, stderr, lines: stdout.trimEnd().split('\n') };
}

/**
 * Every event of a run in a store (SQLite file or JSONL directory), in emission order (`seq`): the
 * read order is by timestamp, and a span is stamped with its start, so a span and the first event in
 * it may share a millisecond.
 */
async function storedRun(path: string, runId: string): Promise<StoredEvent[]> {
  const store = await openReadStore(path);
  try {
    const { items } = await store.listEvents({ run_id: runId, limit: 1000 });
    return items.sort((a, b) => a.envelope.seq - b.envelope.seq);
  } finally {
    await store.close();
  }
}

/** The trace tree as `renderTraceTree` draws it, without the timings that differ between runs. */
const withoutTimings = (tree: string) => tree.replace(/ \([\d.]+m?s\)/g, '').replace(/ · [\d.]+m?s$/m, '');

describe('examples', () => {
  it('app-bootstrap.mjs: createObservabilityFromEnv composes SQLite, JSONL and the live stream from OBS_*', async () => {
    const data = tempDir();
    const { lines, stderr } = await run('node', ['app-bootstrap.mjs'], { OBS_DATA_DIR: data });
    expect(stderr).toBe('');
    expect(lines).toEqual([
      'mode dual: sinks sqlite, jsonl, stream',
      `data dir ${data}`,
      expect.stringMatching(/^stream ws:\/\/127\.0\.0\.1:\d+\/v1\/stream$/),
      'live: run.started, shop.checkout, span, run.finished',
      'written: sqlite 4, jsonl 4',
      `sqlite ${data}/events.db`,
      `jsonl ${data}/jsonl`,
    ]);
    const fromSqlite = await storedRun(join(data, 'events.db'), 'order-1042');
    const fromJsonl = await storedRun(join(data, 'jsonl'), 'order-1042');
    expect(fromSqlite.map((e) => e.envelope.event_type)).toEqual([
      'run.started',
      'shop.checkout',
      'span',
      'run.finished',
    ]);
    expect(fromSqlite[1]!.envelope).toMatchObject({
      source: 'shop-app',
      session_id: 'visit-7',
      parent_event_id: fromSqlite[2]!.envelope.event_id,
      payload: { cart_id: 'cart-1042', total: 42.5 },
    });
    // one canonical text per event, byte-identical in both stores
    expect(fromJsonl.map((e) => e.json)).toEqual(fromSqlite.map((e) => e.json));
  });

  it('app-bootstrap.mjs follows the environment: OBS_MODE=file_only and no stream write JSONL only', async () => {
    const data = tempDir();
    const { lines } = await run('node', ['app-bootstrap.mjs'], {
      OBS_DATA_DIR: data,
      OBS_MODE: 'file_only',
      OBS_STREAM: '0',
    });
    expect(lines).toEqual([
      'mode file_only: sinks jsonl',
      `data dir ${data}`,
      'written: jsonl 4',
      `jsonl ${data}/jsonl`,
    ]);
    expect(readdirSync(data)).toEqual(['jsonl']);
    expect((await storedRun(join(data, 'jsonl'), 'order-1042')).length).toBe(4);
  });

  it('agent-loop.mjs: spans, tool calls and LLM calls into SQLite + JSONL, read back as a trace tree', async () => {
    const data = tempDir();
    const { lines, stdout, stderr } = await run('node', ['agent-loop.mjs', data]);
    expect(stderr).toBe('');
    expect(lines[0]).toBe('run trip-1 (success): 20 events, 2 LLM calls, 168 tokens, $0.0008, 2 errors');
    expect(lines.at(-1)).toBe(`stored in ${data}/events.db and ${data}/jsonl`);
    const tree = lines.slice(1, -1).join('\n');
    expect(withoutTimings(tree)).toBe(
      [
        'run trip-1 · 20 events',
        '[run.started]',
        '[span] tool check_visa → error',
        '├─ [tool.call] check_visa',
        '└─ [tool.result] check_visa → error',
        '[log] continuing without a visa check: visa service unavailable',
        '[span] step 1 → ok',
        '├─ [span] plan → ok',
        '│  └─ [llm.call] example/tiny-planner-1',
        '├─ [agent.thought] next: search_flights',
        '└─ [span] tool search_flights → ok',
        '   ├─ [tool.call] search_flights',
        '   └─ [tool.result] search_flights → ok',
        '[span] step 2 → ok',
        '├─ [span] plan → ok',
        '│  └─ [llm.call] example/tiny-planner-1',
        '├─ [agent.thought] next: book_flight',
        '└─ [span] tool book_flight → ok',
        '   ├─ [tool.call] book_flight',
        '   └─ [tool.result] book_flight → ok',
        '[run.finished] → ok',
      ].join('\n'),
    );
    expect(stdout).not.toContain('[orphan]');
    const fromSqlite = await storedRun(join(data, 'events.db'), 'trip-1');
    const fromJsonl = await storedRun(join(data, 'jsonl'), 'trip-1');
    expect(fromJsonl.map((e) => e.json)).toEqual(fromSqlite.map((e) => e.json));
    const failed = fromSqlite.find((e) => e.envelope.event_type === 'span' && e.envelope.status === 'error')!;
    expect(failed.envelope.payload).toMatchObject({
      operation: 'tool check_visa',
      error: { message: 'visa service unavailable' },
    });
    expect(fromSqlite.filter((e) => e.envelope.cycle === 2).length).toBe(7);
  });

  describe.skipIf(!hasPython())('python-agent/agent.py (needs python3 on PATH)', () => {
    it('posts a run to the collector with urllib only and prints the answers; the run is stored', async () => {
      const data = tempDir();
      const collector = await startCollector(
        loadCollectorConfig({ OBS_DATA_DIR: data, OBS_COLLECTOR_PORT: '0', OBS_SOURCE: 'collector' }),
      );
      let lines: string[];
      try {
        expect(collector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        ({ lines } = await run('python3', ['python-agent/agent.py', collector.url]));
      } finally {
        await collector.close(); // flushes every sink before it resolves
      }
      expect(lines[0]).toBe('POST /v1/events -> 200: accepted 6 events');
      const accepted = JSON.parse(lines[1]!) as {
        status: number;
        body: { accepted: number; event_ids: string[] };
      };
      expect(accepted.status).toBe(200);
      expect(accepted.body.event_ids).toHaveLength(6);
      expect(lines[2]).toBe(
        'POST /v1/events (invalid) -> 400 INVALID_EVENTS: payload.model: Invalid input: expected string, received undefined',
      );
      const rejected = JSON.parse(lines[3]!) as {
        status: number;
        body: { error: { issues: { path: string }[] } };
      };
      expect(rejected.status).toBe(400);
      expect(rejected.body.error.issues.map((i) => i.path)).toEqual(['payload.model']);

      const stored = await storedRun(join(data, 'events.db'), 'py-run-1');
      expect(stored.map((e) => e.envelope.event_id)).toEqual(accepted.body.event_ids);
      expect(
        stored.every((e) => e.envelope.source === 'py-agent' && e.envelope.session_id === 'py-session-1'),
      ).toBe(true);
      const store = await openReadStore(join(data, 'events.db'));
      try {
        expect(withoutTimings(renderTraceTree(await store.getTraceTree('py-run-1')))).toBe(
          [
            'run py-run-1 · 6 events',
            '[run.started]',
            '[span] summarise → ok',
            '├─ [llm.call] openai/gpt-4o-mini → ok',
            '├─ [tool.call] fetch_page',
            '└─ [tool.result] fetch_page → ok',
            '[run.finished] → ok',
            '',
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
  });

  it('every example is run by a test of this folder, and the README lists each one', () => {
    const programs = [
      ...readdirSync(EXAMPLES).filter((f) => /\.(mjs|js)$/.test(f)),
      ...readdirSync(join(EXAMPLES, 'python-agent'))
        .filter((f) => f.endsWith('.py'))
        .map((f) => `python-agent/${f}`),
    ].sort();
    expect(programs).toEqual([
      'agent-loop.mjs',
      'app-bootstrap.mjs',
      'obs-to-otlp.mjs',
      'otel-app.mjs',
      'python-agent/agent.py',
    ]);
    const tests = readdirSync(join(EXAMPLES, 'test'))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(EXAMPLES, 'test', f), 'utf8'))
      .join('\n');
    for (const program of programs) expect(tests, program).toContain(program.split('/').pop());
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    for (const program of programs) expect(readme).toContain(program);
    expect(readme).toContain('@obs/otlp');
  });
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
