import type { Envelope } from '@obs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadStore, StoredEvent } from '../read-store.js';
import { ReadStoreError } from '../read-store-error.js';
import { BULK, buildFixture, type Fixture, HOSTILE_TEXT } from './fixture.js';

/** Opens the backend under test on a fixture. */
export type OpenStore = (fixture: Fixture) => Promise<ReadStore>;

const ids = (events: readonly StoredEvent[]) => events.map((e) => e.envelope.event_id);
const idsOf = (events: readonly Envelope[]) => events.map((e) => e.event_id);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Every page of `listEvents` for `query`, following cursors. */
export async function allPages(
  store: ReadStore,
  query: Parameters<ReadStore['listEvents']>[0],
): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await store.listEvents({ ...query, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (page.next_cursor === null) return out;
    cursor = page.next_cursor;
  }
  throw new Error('pagination did not end');
}

async function expectReadError(promise: Promise<unknown>, code: string): Promise<ReadStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReadStoreError);
  expect((error as ReadStoreError).code).toBe(code);
  return error as ReadStoreError;
}

/** The read contract every backend must pass, on the same fixture events (`fixture` adds a store to write). */
export function describeReadStoreContract(
  backend: string,
  open: OpenStore,
  fixture: Parameters<typeof buildFixture>[0] = {},
): void {
  describe(`ReadStore contract: ${backend}`, () => {
    let fx: Fixture;
    let store: ReadStore;
    beforeAll(async () => {
      fx = await buildFixture(fixture);
      store = await open(fx);
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      fx?.cleanup();
    });
    const of = (predicate: (e: Envelope) => boolean) => fx.events.filter(predicate);

    describe('runs and sessions', () => {
      it('lists runs newest first with their summaries', async () => {
        const page = await store.listRuns();
        expect(page.items.map((r) => r.run_id)).toEqual(['run-bulk', 'run-cycle', 'run-3', 'run-2', 'run-1']);
        expect(page.next_cursor).toBeNull();
        const run1 = await store.getRun('run-1');
        expect(run1).toMatchObject({
          run_id: 'run-1',
          source: 'agent-a',
          session_id: 'sess-1',
          status: 'success',
          duration_ms: 200,
          event_count: 7,
          error_count: 1,
          llm_call_count: 1,
          prompt_tokens: 100,
          completion_tokens: 20,
          total_tokens: 120,
          cost_usd: 0.5,
        });
        expect(run1.started_at).toBe(of((e) => e.run_id === 'run-1')[0]!.timestamp);
        expect(run1.ended_at).toBe(of((e) => e.run_id === 'run-1').at(-1)!.timestamp);
        expect(await store.getRun('run-2')).toMatchObject({
          status: 'failure',
          error_count: 3,
          total_tokens: 60,
        });
        expect(await store.getRun('run-3')).toMatchObject({
          status: 'running',
          duration_ms: null,
          event_count: 12,
        });
      });

      it('filters and pages runs', async () => {
        expect((await store.listRuns({ status: 'failure' })).items.map((r) => r.run_id)).toEqual(['run-2']);
        expect((await store.listRuns({ session_id: 'sess-1' })).items.map((r) => r.run_id)).toEqual([
          'run-2',
          'run-1',
        ]);
        expect((await store.listRuns({ search: 'CYC' })).items.map((r) => r.run_id)).toEqual(['run-cycle']);
        expect((await store.listRuns({ source: 'nobody' })).items).toEqual([]);
        const first = await store.listRuns({ limit: 2 });
        const second = await store.listRuns({ limit: 2, cursor: first.next_cursor! });
        const third = await store.listRuns({ limit: 2, cursor: second.next_cursor! });
        expect([...first.items, ...second.items, ...third.items].map((r) => r.run_id)).toEqual(
          (await store.listRuns()).items.map((r) => r.run_id),
        );
        expect(third.next_cursor).toBeNull();
        const t1 = Date.parse((await store.getRun('run-1')).started_at!);
        expect(
          (await store.listRuns({ to: new Date(t1 + 1).toISOString() })).items.map((r) => r.run_id),
        ).toEqual(['run-1']);
      });

      it('lists sessions and shows one with its runs', async () => {
        const sessions = await store.listSessions();
        expect(sessions.items.map((s) => s.session_id)).toEqual(['sess-2', 'sess-1']);
        const s1 = await store.getSession('sess-1');
        expect(s1).toMatchObject({
          status: 'error',
          run_count: 2,
          max_turn_number: 2,
          event_count: 11,
          cost_usd: 0.75,
        });
        expect(s1.runs.map((r) => r.run_id)).toEqual(['run-1', 'run-2']);
        expect((await store.getSession('sess-2')).status).toBe('ok');
        expect((await store.listSessions({ search: 'SS-2' })).items.map((s) => s.session_id)).toEqual([
          'sess-2',
        ]);
      });

      it('throws NOT_FOUND for unknown ids', async () => {
        await expectReadError(store.getRun('nope'), 'NOT_FOUND');
        await expectReadError(store.getSession('nope'), 'NOT_FOUND');
        await expectReadError(store.getEvent('nope'), 'NOT_FOUND');
        await expectReadError(store.getTraceTree('nope'), 'NOT_FOUND');
      });
    });

    describe('events', () => {
      it('returns each event with its canonical text, byte for byte', async () => {
        for (const e of fx.events.slice(0, 40)) {
          const got = await store.getEvent(e.event_id);
          expect(got.envelope).toEqual(e);
          expect(JSON.parse(got.json)).toEqual(e);
        }
        const [first] = (await store.listEvents({ limit: 1 })).items;
        expect(first!.envelope).toEqual(fx.events[0]);
      });

      const filters: [string, Record<string, unknown>, (e: Envelope) => boolean][] = [
        ['run', { run_id: 'run-1' }, (e) => e.run_id === 'run-1'],
        ['session', { session_id: 'sess-1' }, (e) => e.session_id === 'sess-1'],
        [
          'types',
          { types: ['llm.call', 'error'] },
          (e) => e.event_type === 'llm.call' || e.event_type === 'error',
        ],
        ['status', { status: 'error' }, (e) => e.status === 'error'],
        ['source', { source: 'agent-b' }, (e) => e.source === 'agent-b'],
        ['audit level', { audit_level: 'turn', run_id: 'run-3' }, (e) => e.run_id === 'run-3'],
        [
          'text (ASCII case-insensitive)',
          { text: 'mixed case NEEDLE_%' },
          (e) => e.payload['message'] === 'MiXeD Case needle_%',
        ],
        ['text with LIKE wildcards', { text: '_%' }, (e) => JSON.stringify(e.payload).includes('_%')],
        [
          'types + status',
          { types: ['span'], status: 'ok', run_id: 'run-3' },
          (e) => e.run_id === 'run-3' && e.event_type === 'span',
        ],
        ['unknown type', { types: ['no.such'] }, () => false],
      ];
      it.each(filters)('filters by %s', async (_name, query, expected) => {
        expect(ids(await allPages(store, { ...query, limit: 1000 }))).toEqual(idsOf(of(expected)));
      });

      it('filters by time range: from inclusive, to exclusive', async () => {
        const pivot = of((e) => e.run_id === 'run-2')[1]!;
        const ts = Date.parse(pivot.timestamp);
        const got = await allPages(store, {
          from: pivot.timestamp,
          to: new Date(ts + 5000).toISOString(),
          limit: 1000,
        });
        expect(ids(got)).toEqual(
          idsOf(of((e) => Date.parse(e.timestamp) >= ts && Date.parse(e.timestamp) < ts + 5000)),
        );
      });

      it('filters by parent and lists children', async () => {
        const plan = of((e) => e.payload['operation'] === 'plan')[0]!;
        const children = of((e) => e.parent_event_id === plan.event_id);
        expect(children.length).toBe(2);
        expect(ids(await store.getChildren(plan.event_id))).toEqual(idsOf(children));
        expect(ids((await store.listEvents({ parent_event_id: plan.event_id })).items)).toEqual(
          idsOf(children),
        );
        expect(await store.getChildren('missing')).toEqual([]);
      });

      it('pages with a keyset cursor in both orders, across equal timestamps', async () => {
        const bulk = idsOf(of((e) => e.run_id === 'run-bulk'));
        expect(bulk.length).toBe(BULK);
        expect(ids(await allPages(store, { run_id: 'run-bulk', limit: 37 }))).toEqual(bulk);
        expect(ids(await allPages(store, { run_id: 'run-bulk', limit: 37, order: 'desc' }))).toEqual(
          [...bulk].reverse(),
        );
        expect(ids(await allPages(store, { limit: 101 }))).toEqual(idsOf(fx.events));
        const last5 = await store.listEvents({ order: 'desc', limit: 5 });
        expect(ids(last5.items)).toEqual(idsOf(fx.events.slice(-5).reverse()));
      });

      it('caps limits at 1000', async () => {
        const page = await store.listEvents({ limit: 50_000 });
        expect(page.items.length).toBe(1000);
        expect(page.next_cursor).not.toBeNull();
      });
    });

    describe('trace tree', () => {
      it('builds the parent/child tree of a run with durations', async () => {
        const tree = await store.getTraceTree('run-1');
        expect(tree.event_count).toBe(7);
        expect(tree.orphan_count).toBe(0);
        expect(tree.roots.map((n) => n.name)).toEqual(['run.started', 'plan', 'act', 'run.finished']);
        const plan = tree.roots[1]!;
        expect(plan.children.map((n) => n.event.event_type)).toEqual(['llm.call', 'tool.call']);
        expect(plan.children[1]!.children.map((n) => n.event.event_type)).toEqual(['tool.result']);
        expect(plan.offset_ms).toBe(5);
        expect(tree.duration_ms).toBe(141);
      });

      it('gives each node the stored envelope, read once, in any order of reading', async () => {
        const tree = await store.getTraceTree('run-bulk');
        const nodes = tree.roots;
        const expected = of((e) => e.run_id === 'run-bulk');
        expect(nodes.length).toBe(expected.length);
        // from the end: chunks of envelopes load out of order
        for (let i = nodes.length - 1; i >= 0; i -= 7) expect(nodes[i]!.event).toEqual(expected[i]);
        for (const [i, node] of nodes.entries()) {
          expect(node.event).toBe(node.event);
          expect(node.event.event_id).toBe(expected[i]!.event_id);
        }
      });

      it('keeps orphans, marks them, and cannot hang on parent cycles', async () => {
        const tree = await store.getTraceTree('run-cycle');
        expect(tree.event_count).toBe(5);
        expect(tree.cycle_count).toBe(3);
        expect(tree.orphan_count).toBe(1);
        const roots = Object.fromEntries(tree.roots.map((n) => [n.name, n]));
        expect(Object.keys(roots).sort()).toEqual(['a', 'b', 'orphan', 'self']);
        expect(roots['a']!.cycle).toBe(true);
        expect(roots['a']!.children.map((n) => n.name)).toEqual(['under-cycle']);
        expect(roots['orphan']!.orphan).toBe(true);
      });
    });

    describe('stats', () => {
      it('counts, groups and times the events', async () => {
        const stats = await store.stats();
        expect(stats.total).toBe(fx.events.length);
        expect(stats.successes).toBe(of((e) => e.status === 'ok').length);
        expect(stats.failures).toBe(of((e) => e.status === 'error' || e.event_type === 'error').length);
        expect(stats.by_source).toEqual({ 'agent-a': fx.events.length - 2, 'agent-b': 2 });
        expect(stats.by_type['log']).toBe(BULK + 2);
        expect(stats.tokens).toEqual({ prompt: 150, completion: 25, total: 180 });
        expect(stats.cost_usd).toBeCloseTo(0.75, 10);
        const fetch = stats.latency.find((g) => g.key === 'fetch')!;
        expect(fetch).toMatchObject({ total: 10, ok: 10, errors: 0 });
        // percentiles may come from a latency sketch: within 1% of the exact nearest-rank value
        expectPercentiles(fetch, { p50_ms: 50, p95_ms: 100, p99_ms: 100 });
        expect(stats.slowest.slice(0, 3).map((s) => [s.name, s.duration_ms])).toEqual([
          ['run.finished', 200],
          ['act', 120],
          ['fetch', 100],
        ]);
        expect(stats.timeline.reduce((n, b) => n + b.total, 0)).toBe(fx.events.length);
        expect(stats.timeline.reduce((n, b) => n + b.errors, 0)).toBe(stats.failures);
        expect(stats.first_timestamp).toBe(fx.events[0]!.timestamp);
        expect(stats.last_timestamp).toBe(fx.events.at(-1)!.timestamp);
      });

      it('filters and groups', async () => {
        const run = await store.stats({ run_id: 'run-2', groupBy: 'model' });
        expect(run.total).toBe(4);
        expect(run.groups).toEqual([
          { key: 'claude', total: 1, ok: 0, errors: 1, p50_ms: 70, p95_ms: 70, p99_ms: 70 },
        ]);
        const ops = await store.stats({ groupBy: 'operation', from: fx.events[0]!.timestamp });
        expectPercentiles(ops.groups!.find((g) => g.key === 'fetch')!, {
          p50_ms: 50,
          p95_ms: 100,
          p99_ms: 100,
        });
        const layers = await store.stats({ groupBy: 'layer' });
        expect(layers.groups!.map((g) => [g.key, g.total])).toEqual([
          ['tool', 11],
          ['agent', 1],
        ]);
        expect((await store.stats({ source: 'nobody' })).total).toBe(0);
        expect((await store.stats({ session_id: 'sess-1' })).total).toBe(11);
      });
    });

    describe('export', () => {
      it('exports canonical JSON lines', async () => {
        const text = (await collect(store.exportEvents({ run_id: 'run-bulk' }, 'jsonl'))).join('');
        const lines = text.split('\n');
        expect(lines.pop()).toBe('');
        expect(lines.length).toBe(BULK);
        expect(lines.map((l) => JSON.parse(l).event_id)).toEqual(idsOf(of((e) => e.run_id === 'run-bulk')));
        const one = await store.getEvent(lines[0] ? JSON.parse(lines[0]).event_id : '');
        expect(lines[0]).toBe(one.json);
      });

      it('exports CSV with quoting and formula neutralising', async () => {
        const text = (await collect(store.exportEvents({ source: 'agent-b' }, 'csv'))).join('');
        const rows = parseCsv(text);
        expect(rows[0]).toEqual(expect.arrayContaining(['event_id', 'run_id', 'payload']));
        expect(rows.length).toBe(3);
        const payload = JSON.parse(rows[1]![rows[0]!.indexOf('payload')]!);
        expect(payload.message).toBe(HOSTILE_TEXT);
        expect(rows[1]![rows[0]!.indexOf('source')]).toBe('agent-b');
      });
    });

    describe('validation', () => {
      const bad: [string, () => Promise<unknown>][] = [
        ['limit 0', () => store.listEvents({ limit: 0 })],
        ['fractional limit', () => store.listEvents({ limit: 1.5 })],
        ['unknown key', () => store.listEvents({ nope: 1 } as never)],
        ['bad status', () => store.listEvents({ status: 'bad' as never })],
        ['bad event type', () => store.listEvents({ types: ['DROP TABLE'] })],
        ['bad time', () => store.listEvents({ from: 'yesterday' })],
        ['forged cursor', () => store.listEvents({ cursor: 'eyJrIjoiZSJ9' })],
        ['garbage cursor', () => store.listEvents({ cursor: "' OR 1=1 --" })],
        [
          'runs cursor for events',
          async () => store.listEvents({ cursor: (await store.listRuns({ limit: 1 })).next_cursor! }),
        ],
        ['bad run status', () => store.listRuns({ status: 'ok' as never })],
        ['bad groupBy', () => store.stats({ groupBy: 'x' as never })],
        ['empty run id', () => store.getRun('')],
        ['bad export format', async () => store.exportEvents({}, 'xml' as never)],
        ['bad tail interval', async () => store.tail({ intervalMs: 0 })],
      ];
      it.each(bad)('rejects %s with INVALID_FILTER', async (_name, call) => {
        const error = await expectReadError(call(), 'INVALID_FILTER');
        expect(error.message.length).toBeGreaterThan(10);
      });

      it('treats SQL injection strings as plain values in every filter', async () => {
        const hostile = [
          "' OR 1=1 --",
          'x"; DROP TABLE events; --',
          "run-1' --",
          '%',
          '_',
          '\\',
          "') UNION SELECT json FROM events --",
        ];
        for (const h of hostile) {
          for (const key of ['run_id', 'session_id', 'source', 'parent_event_id', 'text'] as const) {
            const page = await store.listEvents({ [key]: h });
            const expected = key === 'text' ? of((e) => JSON.stringify(e).includes(h)).length : 0;
            expect(page.items.length, `${key}=${h}`).toBe(Math.min(expected, 100));
          }
          expect((await store.listRuns({ search: h, source: h })).items).toEqual([]);
          expect((await store.listRuns({ session_id: h })).items).toEqual([]);
          expect((await store.listSessions({ search: h })).items).toEqual([]);
          expect((await store.stats({ run_id: h })).total).toBe(0);
          expect((await store.stats({ source: h, session_id: h })).total).toBe(0);
          await expectReadError(store.getRun(h), 'NOT_FOUND');
          await expectReadError(store.getEvent(h), 'NOT_FOUND');
          expect(await store.getChildren(h)).toEqual([]);
        }
        expect((await store.stats()).total).toBe(fx.events.length);
      });
    });

    describe('concurrent writers', () => {
      it('keeps keyset pages stable while events are inserted', async () => {
        const before = idsOf(fx.events);
        const seen: string[] = [];
        let cursor: string | undefined;
        let appended = 0;
        do {
          const page = await store.listEvents({ limit: 150, ...(cursor ? { cursor } : {}) });
          seen.push(...ids(page.items));
          cursor = page.next_cursor ?? undefined;
          if (appended < 3) {
            appended++;
            const added = await fx.append((obs) => {
              for (let i = 0; i < 20; i++)
                obs.emit('log', { level: 'info', message: `late ${i}` }, { run_id: 'run-late' });
            });
            expect(added.length).toBe(20);
          }
        } while (cursor !== undefined);
        expect(seen.slice(0, before.length)).toEqual(before);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBe(fx.events.length);
        expect((await store.getRun('run-late')).event_count).toBe(60);
      });
    });
  });
}

/** RFC 4180 parser for the tests: quoted cells may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

/** Each percentile is within 1% of the exact one (backends may read them from latency sketches). */
export function expectPercentiles(
  group: { p50_ms: number | null; p95_ms: number | null; p99_ms: number | null },
  exact: { p50_ms: number; p95_ms: number; p99_ms: number },
): void {
  for (const k of ['p50_ms', 'p95_ms', 'p99_ms'] as const) {
    expect(Math.abs(group[k]! - exact[k]), k).toBeLessThanOrEqual(exact[k] * 0.01);
  }
}
