import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { post, sampleEvent, startTestCollector, storedEventIds } from '../test/harness.js';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
let url: string;

beforeEach(async () => {
  ctx = await startTestCollector({ OBS_MAX_BODY_BYTES: '65536', OBS_MAX_EVENTS_PER_REQUEST: '500' });
  url = ctx.collector.url;
});
afterEach(() => ctx.cleanup());

const jsonlLines = (dir: string) =>
  readdirSync(join(dir, 'jsonl'))
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, 'jsonl', f), 'utf8')
        .split('\n')
        .filter(Boolean),
    );

describe('POST /v1/events', () => {
  it('accepts one envelope, assigns ids, and has it in SQLite and JSONL before answering', async () => {
    const { status, json } = await post(`${url}/v1/events`, sampleEvent(1));
    expect(status).toBe(200);
    expect(json['accepted']).toBe(1);
    const [id] = json['event_ids'] as string[];
    expect(storedEventIds(ctx.dir)).toEqual([id]);
    const lines = jsonlLines(ctx.dir);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      event_id: id,
      source: 'http-client',
      run_id: 'run-http',
      payload: { tool: 'search' },
    });
  });

  it('accepts a JSON array and NDJSON batches', async () => {
    const array = await post(`${url}/v1/events`, [sampleEvent(1), sampleEvent(2)]);
    const ndjson = await post(
      `${url}/v1/events`,
      `${JSON.stringify(sampleEvent(3))}\n\n${JSON.stringify(sampleEvent(4))}\n`,
      {
        'content-type': 'application/x-ndjson',
      },
    );
    expect([array.status, ndjson.status]).toEqual([200, 200]);
    expect(storedEventIds(ctx.dir)).toEqual([
      ...(array.json['event_ids'] as string[]),
      ...(ndjson.json['event_ids'] as string[]),
    ]);
  });

  it.each([
    ['invalid JSON', '{"event_type": ', 400, 'INVALID_JSON'],
    ['an unknown event type', { ...sampleEvent(1), event_type: 'made.up' }, 400, 'INVALID_EVENTS'],
    ['an empty batch', [], 400, 'EMPTY_BATCH'],
    ['a bare string', '"hello"', 400, 'INVALID_EVENTS'],
    [
      'a prototype-pollution attempt',
      '{"__proto__": {"admin": true}, "event_type": "log", "run_id": "r", "payload": {}}',
      400,
      'INVALID_EVENTS',
    ],
  ])('answers 400 for %s and writes nothing', async (_what, body, status, code) => {
    const response = await post(`${url}/v1/events`, body);
    expect(response.status).toBe(status);
    const error = response.json['error'] as { code: string; issues: unknown };
    expect(error.code).toBe(code);
    expect(Array.isArray(error.issues)).toBe(true);
    expect(storedEventIds(ctx.dir)).toEqual([]);
  });

  it('lists every failing path of an invalid payload', async () => {
    const { status, json } = await post(`${url}/v1/events`, {
      event_type: 'llm.call',
      run_id: 'r',
      payload: { provider: 3, prompt_tokens: -5 },
    });
    expect(status).toBe(400);
    const paths = ((json['error'] as { issues: { path: string }[] }).issues ?? []).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['payload.provider', 'payload.model', 'payload.prompt_tokens']),
    );
  });

  it('rejects a whole batch with one bad event, naming its index, and writes nothing of it', async () => {
    const { status, json } = await post(`${url}/v1/events`, [
      sampleEvent(1),
      { ...sampleEvent(2), payload: { tool: 7 } },
      sampleEvent(3),
    ]);
    expect(status).toBe(400);
    expect(JSON.stringify(json)).toContain('[1].payload.tool');
    expect(storedEventIds(ctx.dir)).toEqual([]);
  });

  it('answers 413 past the body limit or the batch limit, and 415 for other content types', async () => {
    const huge = await post(`${url}/v1/events`, { ...sampleEvent(1), payload: { tool: 'x'.repeat(70_000) } });
    expect(huge.status).toBe(413);
    const many = await post(
      `${url}/v1/events`,
      Array.from({ length: 501 }, (_, i) => ({
        event_type: 'log',
        run_id: 'r',
        payload: { level: 'info', message: String(i) },
      })),
    );
    expect(many.status).toBe(413);
    const text = await post(`${url}/v1/events`, 'event_type=log', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(text.status).toBe(415);
    expect(storedEventIds(ctx.dir)).toEqual([]);
  });

  it('answers 404 and 405 with a reason', async () => {
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${url}/v1/events`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('routes a request target by its path as a URL resolves it: query, dot segments, absolute form', async () => {
    const targets = [
      '/v1/events?from=test',
      '/v1/x/../events',
      `${url}/v1/events`,
      '/v1/./events',
      '//v1/events',
    ];
    const statuses = await Promise.all(targets.map((target) => rawPost(url, target, [sampleEvent(1)])));
    expect(statuses).toEqual([200, 200, 200, 200, 404]);
    expect(storedEventIds(ctx.dir)).toHaveLength(4);
  });
});

/** A POST with `target` sent as it stands (fetch would resolve it first); resolves with the status. */
function rawPost(base: string, target: string, body: unknown): Promise<number> {
  const text = JSON.stringify(body);
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path: target, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('GET /health and /v1/stats', () => {
  it('reports sink health and counts accepted events by source', async () => {
    await post(`${url}/v1/events`, [sampleEvent(1), { ...sampleEvent(2), status: 'error', source: 'other' }]);
    const health = (await (await fetch(`${url}/health`)).json()) as {
      status: string;
      sinks: { name: string }[];
    };
    expect(health.status).toBe('ok');
    expect(health.sinks.map((s) => s.name)).toEqual(['live-stats', 'sqlite', 'jsonl']);
    const stats = (await (await fetch(`${url}/v1/stats`)).json()) as {
      recent: unknown[];
      pipeline: { dropped: number };
    };
    expect(stats).toMatchObject({
      total: 2,
      successes: 1,
      failures: 1,
      by_source: { 'http-client': 1, other: 1 },
    });
    expect(stats.recent).toHaveLength(2);
    expect(stats.pipeline.dropped).toBe(0);
  });

  it('answers 404 for backups when none are configured', async () => {
    const response = await fetch(`${url}/v1/backups`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});

describe('token auth', () => {
  it('requires the bearer token on every route but /health', async () => {
    const secured = await startTestCollector({ OBS_COLLECTOR_TOKEN: 'a-very-long-test-token-123' });
    try {
      const base = secured.collector.url;
      expect((await post(`${base}/v1/events`, sampleEvent(1))).status).toBe(401);
      expect(
        (await post(`${base}/v1/events`, sampleEvent(1), { authorization: 'Bearer wrong-token-wrong-token' }))
          .status,
      ).toBe(401);
      expect((await fetch(`${base}/v1/stats`)).status).toBe(401);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(
        (
          await post(`${base}/v1/events`, sampleEvent(1), {
            authorization: 'Bearer a-very-long-test-token-123',
          })
        ).status,
      ).toBe(200);
      expect(storedEventIds(secured.dir)).toHaveLength(1);
    } finally {
      await secured.cleanup();
    }
  });
});
