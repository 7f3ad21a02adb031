import type { Page, RunSummary, SessionSummary, Stats, StoredEvent } from '@obs/read-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminServer } from './admin-server.js';
import type { ApiErrorBody, EventDetail, TraceRows } from './api-types.js';
import { getApi, startAdmin } from './test/admin-fixture.js';
import { XSS_PAYLOAD } from './test/demo-events.js';
import { rawRequest } from './test/http-client.js';
import { createStoreFixture, type StoreFixture } from './test/store-fixture.js';
import { rowsOf } from './ui/trace-model.js';

let fx: StoreFixture;
beforeAll(async () => {
  fx = await createStoreFixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

describe.each(['sqlite', 'jsonl'] as const)('JSON API over a %s store', (kind) => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdmin(fx[kind]);
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('says which store it reads', async () => {
    const { status, body } = await getApi(admin, '/api/info');
    expect(status).toBe(200);
    expect(body).toEqual({ kind, auth: false });
  });

  it('lists runs newest first with their counters, and pages with the cursor', async () => {
    const all = await getApi<Page<RunSummary>>(admin, '/api/runs');
    expect(all.body.items.map((r) => r.run_id)).toEqual([
      fx.ids.xssRun,
      fx.ids.failedRun,
      ...[...fx.ids.sessionRuns].reverse(),
    ]);
    const failed = all.body.items.find((r) => r.run_id === fx.ids.failedRun)!;
    expect(failed).toMatchObject({
      status: 'failure',
      source: 'support-agent',
      llm_call_count: 1,
      total_tokens: 960,
    });
    expect(failed.error_count).toBeGreaterThanOrEqual(2);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page<RunSummary> } = await getApi<Page<RunSummary>>(
        admin,
        `/api/runs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r) => r.run_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((r) => r.run_id));
  });

  it('filters runs by status, session and id substring', async () => {
    const failed = await getApi<Page<RunSummary>>(admin, '/api/runs?status=failure');
    expect(failed.body.items.map((r) => r.run_id)).toEqual([fx.ids.failedRun]);
    const session = await getApi<Page<RunSummary>>(admin, `/api/runs?session_id=${fx.ids.sessionId}`);
    expect(session.body.items).toHaveLength(3);
    const search = await getApi<Page<RunSummary>>(admin, '/api/runs?search=turn-2');
    expect(search.body.items.map((r) => r.run_id)).toEqual(['run-turn-2']);
  });

  it('shows one run by its encoded id, and 404s an unknown one', async () => {
    const run = await getApi<RunSummary>(admin, `/api/runs/${encodeURIComponent(fx.ids.xssRun)}`);
    expect(run.status).toBe(200);
    expect(run.body.run_id).toBe(fx.ids.xssRun);
    const missing = await getApi<ApiErrorBody>(admin, '/api/runs/no-such-run');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect(missing.body.error.message).toContain('no-such-run');
  });

  it('sends the trace tree as pre-order rows with parents, depths and child counts, column by column', async () => {
    const { body } = await getApi<TraceRows>(admin, '/api/runs/run-turn-1/tree');
    const rows = rowsOf(body.columns);
    expect(body.event_count).toBe(rows.length);
    expect(body.truncated).toBe(false);
    for (const column of Object.values(body.columns))
      if (column !== body.columns.orphans) expect(column).toHaveLength(rows.length);
    const spanIndex = rows.findIndex((r) => r.event_id === fx.ids.spanEventId);
    const span = rows[spanIndex]!;
    expect(span).toMatchObject({
      name: 'agent.step',
      event_type: 'span',
      children: 3,
      detail: 'agent · planner',
    });
    const children = rows.slice(spanIndex + 1, spanIndex + 4);
    expect(children.map((r) => r.event_id).sort()).toEqual([...fx.ids.spanChildIds].sort());
    for (const child of children) expect(child).toMatchObject({ parent: spanIndex, depth: span.depth + 1 });
    expect(children.find((r) => r.event_type === 'llm.call')?.detail).toBe('gpt-4o-mini · 960 tok');
  });

  it('lists events with filters (repeatable type)', async () => {
    const { body } = await getApi<Page<StoredEvent>>(
      admin,
      '/api/events?run_id=run-turn-1&type=llm.call&type=tool.call',
    );
    expect(body.items.map((e) => e.envelope.event_type).sort()).toEqual(['llm.call', 'tool.call']);
    const errors = await getApi<Page<StoredEvent>>(admin, '/api/events?status=error&order=desc&limit=1');
    expect(errors.body.items).toHaveLength(1);
    expect(errors.body.items[0]!.envelope.status).toBe('error');
  });

  it('shows an event with its stored JSON and its children', async () => {
    const { body } = await getApi<EventDetail>(admin, `/api/events/${fx.ids.spanEventId}`);
    expect(body.event.event_id).toBe(fx.ids.spanEventId);
    expect(JSON.parse(body.json)).toEqual(body.event);
    expect(body.children.map((c) => c.event_id).sort()).toEqual([...fx.ids.spanChildIds].sort());
    expect(body.more_children).toBe(false);
    const limited = await getApi<EventDetail>(admin, `/api/events/${fx.ids.spanEventId}?children=1`);
    expect(limited.body.children).toHaveLength(1);
    expect(limited.body.more_children).toBe(true);
  });

  it('returns hostile payloads as data, byte for byte', async () => {
    const { body, headers } = await getApi<EventDetail>(admin, `/api/events/${fx.ids.xssEventId}`);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((body.event.payload['arguments'] as { html: string }).html).toBe(XSS_PAYLOAD);
  });

  it('lists sessions and shows one with its runs', async () => {
    const list = await getApi<Page<SessionSummary>>(admin, '/api/sessions');
    expect(list.body.items.map((s) => s.session_id)).toEqual([fx.ids.sessionId]);
    expect(list.body.items[0]).toMatchObject({ run_count: 3, max_turn_number: 3 });
    const one = await getApi<SessionSummary & { runs: RunSummary[] }>(
      admin,
      `/api/sessions/${fx.ids.sessionId}`,
    );
    expect(one.body.runs.map((r) => r.run_id).sort()).toEqual([...fx.ids.sessionRuns].sort());
  });

  it('computes stats with a grouping', async () => {
    const { body } = await getApi<Stats>(admin, '/api/stats?group_by=model&slowest=3');
    expect(body.total).toBeGreaterThan(20);
    expect(body.tokens.total).toBe(4 * 960);
    expect(body.by_source['support-agent']).toBe(body.total);
    expect(body.groups?.map((g) => g.key)).toContain('gpt-4o-mini');
    expect(body.slowest.length).toBeLessThanOrEqual(3);
    expect(body.timeline.length).toBeGreaterThan(0);
  });

  it('answers /api/stats with one stats() call and no read of events', async () => {
    const calls: string[] = [];
    const counting = new Proxy(fx[kind], {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return value.apply(target, args);
        };
      },
    });
    const spied = await startAdmin(counting);
    try {
      const { status, body } = await getApi<Stats>(spied, '/api/stats?group_by=operation&slowest=5');
      expect(status).toBe(200);
      expect(body.total).toBeGreaterThan(0);
      expect(calls).toEqual(['stats']);
    } finally {
      await spied.close();
    }
  });

  it('exports a run as CSV and as JSONL downloads', async () => {
    const csv = await fetch(new URL('/api/export?format=csv&run_id=run-turn-2', admin.url));
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="obs-events.csv"');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toContain('event_id');
    expect(lines).toHaveLength(1 + 6);
    const jsonl = await fetch(new URL('/api/export?format=jsonl&run_id=run-turn-2', admin.url));
    const events = (await jsonl.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { run_id: string });
    expect(events).toHaveLength(6);
    expect(events.every((e) => e.run_id === 'run-turn-2')).toBe(true);
  });
});

describe('input validation and the read-only surface', () => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdmin(fx.sqlite);
  });
  afterAll(async () => {
    await admin?.close();
  });

  it.each([
    ['/api/runs?limit=0', 'limit', 'expected an integer of at least 1'],
    [
      '/api/runs?limit=ten',
      'limit',
      'expected an integer of at least 1 (more than 1000 is capped to 1000), got "ten"',
    ],
    ['/api/runs?status=done', 'status', 'expected one of running, success'],
    ['/api/runs?colour=red', 'colour', 'unknown parameter'],
    ['/api/runs?limit=5&limit=6', 'limit', 'more than once'],
    ['/api/events?from=yesterday', 'from', 'ISO 8601'],
    ['/api/events?order=sideways', 'order', 'asc, desc'],
    ['/api/stats?group_by=colour', 'group_by', 'expected one of source'],
    ['/api/export?run_id=x', 'format', 'required'],
    ['/api/runs/x?limit=1', 'limit', 'unknown parameter; expected none'],
    ['/api/events?to=2026-02-30', 'to', 'not a real date'],
    ['/api/events?type=llm.call,DROP%20TABLE', 'type.1', 'dotted lower-case name'],
    ['/api/events?status=maybe&status=ok', 'status', 'more than once'],
    ['/api/events/x?children=-1', 'children', 'expected an integer from 0 to 1000'],
    ['/api/stats?groupBy=model', 'groupBy', 'unknown parameter; expected one of: run_id'],
    ['/api/export?format=xml', 'format', 'expected one of jsonl, csv, got "xml"'],
  ])('%s → 400 naming %s', async (path, param, reason) => {
    const { status, body } = await getApi<ApiErrorBody>(admin, path);
    expect(status).toBe(400);
    expect(body.error.code).toBe('INVALID_REQUEST');
    const issue = body.error.issues.find((i) => i.path === param);
    expect(issue?.message).toContain(reason);
    expect(body.error.message).toContain(`${param}: `);
  });

  it('lists every bad parameter of a request', async () => {
    const { status, body } = await getApi<ApiErrorBody>(admin, '/api/runs?limit=0&status=x&colour=1');
    expect(status).toBe(400);
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['colour', 'limit', 'status']);
  });

  it('maps the read store’s own validation (a forged cursor) to a 400 with its reason', async () => {
    const { status, body } = await getApi<ApiErrorBody>(admin, '/api/events?cursor=not-a-cursor');
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/cursor/);
    expect(body.error.issues.map((i) => i.path)).toEqual([expect.stringMatching(/cursor/)]);
  });

  it('rejects malformed path encoding and unknown routes', async () => {
    expect((await rawRequest(`${admin.url}api/runs/%E0%A4%A`)).status).toBe(400);
    expect((await getApi(admin, '/api/nope')).status).toBe(404);
    expect((await getApi(admin, '/api')).status).toBe(404);
    expect((await getApi(admin, '/api/')).status).toBe(404);
    expect((await getApi(admin, '/api/runs//tree')).status).toBe(400);
    expect((await getApi(admin, '/api/runs/x/y/z')).status).toBe(404);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    'answers %s with 405 (read-only)',
    async (method) => {
      const res = await rawRequest(`${admin.url}api/runs`, {
        method,
        body: '{}',
        headers: { 'Content-Length': '2' },
      });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('GET, HEAD');
    },
  );

  it('sends security headers and no CORS headers, on the API and the UI', async () => {
    for (const path of ['api/runs', '', 'api/nope']) {
      const res = await rawRequest(`${admin.url}${path}`, { headers: { Origin: 'https://evil.example' } });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('refuses a foreign Host header (DNS rebinding) while loopback-only', async () => {
    const res = await rawRequest(`${admin.url}api/runs`, { headers: { Host: `evil.example:${admin.port}` } });
    expect(res.status).toBe(403);
    const ok = await rawRequest(`${admin.url}api/runs`, { headers: { Host: `localhost:${admin.port}` } });
    expect(ok.status).toBe(200);
  });

  it('serves the built UI and never a file outside it', async () => {
    const index = await rawRequest(admin.url);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toMatch(
      /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/,
    );
    expect(index.body).not.toMatch(/<script>/);
    for (const path of [
      '%2e%2e/%2e%2e/package.json',
      '..%2f..%2fpackage.json',
      'assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const res = await rawRequest(`${admin.url}${path}`);
      expect(res.body).not.toContain('"name": "@obs/admin"');
    }
    expect((await rawRequest(`${admin.url}assets/missing.js`)).status).toBe(404);
  });

  it('gzips large JSON answers for clients that accept it', async () => {
    const res = await rawRequest(`${admin.url}api/events?limit=1000`, {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
  });
});
