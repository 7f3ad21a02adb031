import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdminServer, createAdminServer } from '@obs/admin';
import { type Collector, loadCollectorConfig, startCollector } from '@obs/collector';
import { openReadStore, type ReadStore } from '@obs/read-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The one error body of every obs HTTP server (the admin's `ApiErrorBody`, the collector's
 * `ErrorBody`): strict, so a stray field (`param`, details spilled beside `code`) fails it.
 */
const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    message: z.string().min(1),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string().min(1) })),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
type ErrorBody = z.infer<typeof ErrorBodySchema>;

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** One raw request (so `Host` and the method are exactly as given). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Checks an answer against the one schema and returns its error. */
function errorOf(answer: Answer, status: number): ErrorBody['error'] {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toBe('application/json; charset=utf-8');
  const parsed = ErrorBodySchema.safeParse(JSON.parse(answer.body));
  if (!parsed.success) throw new Error(`not the shared error body: ${answer.body}\n${parsed.error.message}`);
  return parsed.data.error;
}

const json = { 'content-type': 'application/json' };

let dir: string;
let collector: Collector;
let store: ReadStore;
let admin: AdminServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-error-body-'));
  collector = await startCollector(
    loadCollectorConfig({
      OBS_DATA_DIR: dir,
      OBS_COLLECTOR_PORT: '0',
      OBS_SOURCE: 'error-body-test',
      OBS_MAX_BODY_BYTES: '4096',
    }),
  );
  // One stored event: the SQLite store then exists for the dashboard to read.
  const stored = await send(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ event_type: 'log', run_id: 'run-1', payload: { level: 'info', message: 'hi' } }),
  });
  expect(stored.status).toBe(200);
  store = await openReadStore(join(dir, 'events.db'));
  admin = await createAdminServer({ store, port: 0 });
});

afterAll(async () => {
  await admin?.close();
  await store?.close();
  await collector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one HTTP error body for the admin and the collector', () => {
  it('both servers listen on loopback ports of their own', () => {
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(collector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(admin.port).not.toBe(0);
  });

  it('bad input: each names what was wrong in `issues[].path`', async () => {
    const adminError = errorOf(await send(`${admin.url}api/runs?limit=0&colour=red`), 400);
    expect(adminError.code).toBe('INVALID_REQUEST');
    expect(adminError.issues.map((i) => i.path).sort()).toEqual(['colour', 'limit']);
    expect(adminError.issues.find((i) => i.path === 'limit')?.message).toContain('expected an integer');

    const collectorError = errorOf(
      await send(`${collector.url}/v1/events`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify([
          { event_type: 'log', run_id: 'r', payload: { level: 'info', message: 'fine' } },
          { event_type: 'llm.call', run_id: 'r', payload: { provider: 3 } },
        ]),
      }),
      400,
    );
    expect(collectorError.code).toBe('INVALID_EVENTS');
    expect(collectorError.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['[1].payload.provider', '[1].payload.model']),
    );
  });

  it('a read store refusal (a forged cursor) and an unknown event type keep the shape', async () => {
    const adminError = errorOf(await send(`${admin.url}api/events?cursor=forged`), 400);
    expect(adminError.issues).toHaveLength(1);
    expect(adminError.issues[0]!.path).toContain('cursor');
    const collectorError = errorOf(
      await send(`${collector.url}/v1/events`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ event_type: 'no.such_type', run_id: 'r', payload: {} }),
      }),
      400,
    );
    expect(collectorError.issues.length).toBeGreaterThan(0);
  });

  it('failures that are no one input’s fault have an empty `issues` list', async () => {
    const answers: [string, Answer, number][] = [
      ['admin unknown route', await send(`${admin.url}api/nope`), 404],
      ['admin write', await send(`${admin.url}api/runs`, { method: 'DELETE' }), 405],
      ['admin unknown run', await send(`${admin.url}api/runs/no-such-run`), 404],
      [
        'admin rebinding Host',
        await send(`${admin.url}api/runs`, { headers: { host: 'evil.example' } }),
        403,
      ],
      ['collector unknown route', await send(`${collector.url}/v2/nope`), 404],
      ['collector wrong method', await send(`${collector.url}/v1/events`), 405],
      [
        'collector rebinding Host',
        await send(`${collector.url}/v1/stats`, { headers: { host: 'evil.example' } }),
        403,
      ],
      [
        'collector content type',
        await send(`${collector.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'x',
        }),
        415,
      ],
      [
        'collector body too large',
        await send(`${collector.url}/v1/events`, { method: 'POST', headers: json, body: 'x'.repeat(5000) }),
        413,
      ],
      [
        'collector bad JSON',
        await send(`${collector.url}/v1/events`, { method: 'POST', headers: json, body: '{"event_type":' }),
        400,
      ],
    ];
    for (const [what, answer, status] of answers) {
      const error = errorOf(answer, status);
      expect(error.issues, what).toEqual([]);
      expect(error.details, what).toBeUndefined();
    }
  });

  it('the schema is strict: the old admin `param` issues and spilled collector details fail it', () => {
    const old = [
      { error: { code: 'INVALID_REQUEST', message: 'm', issues: [{ param: 'limit', message: 'x' }] } },
      { error: { code: 'NOT_STORED', message: 'm', issues: [], event_ids: [] } },
      { error: { code: 'INVALID_JSON', message: 'm' } },
    ];
    for (const body of old) expect(ErrorBodySchema.safeParse(body).success).toBe(false);
    const notStored = { code: 'NOT_STORED', message: 'm', issues: [], details: { event_ids: ['e'] } };
    expect(ErrorBodySchema.safeParse({ error: notStored }).success).toBe(true);
  });
});
