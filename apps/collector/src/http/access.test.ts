import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../config.js';
import { sampleEvent, startTestCollector, storedEventIds } from '../test/harness.js';

const TOKEN = 'a-very-long-test-token-123';

type Reply = { status: number; json: Record<string, unknown> };

/** A request over node:http, which (unlike fetch) sends the `Host` and `Origin` given. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname, headers },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const code = (reply: Reply) => (reply.json['error'] as { code?: string } | undefined)?.code;

/** The HTTP status of a WebSocket handshake sent over node:http (101 when the server upgraded). */
function handshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('collector without a token (loopback only)', () => {
  let ctx: Awaited<ReturnType<typeof startTestCollector>>;
  let base: string;
  let port: string;
  beforeAll(async () => {
    ctx = await startTestCollector({ OBS_STREAM: 'true' });
    base = ctx.collector.url;
    port = new URL(base).port;
  });
  afterAll(() => ctx.cleanup());

  it('refuses a DNS-rebinding Host with 403 on every route, /health included', async () => {
    const evil = { Host: `evil.example:${port}` };
    const stats = await send(base, 'GET', '/v1/stats', evil);
    expect(stats.status).toBe(403);
    expect(code(stats)).toBe('FORBIDDEN_HOST');
    expect(stats.json).not.toHaveProperty('recent');
    expect((await send(base, 'GET', '/health', evil)).status).toBe(403);
    expect((await send(base, 'POST', '/v1/backups', evil)).status).toBe(403);
    const posted = await send(
      base,
      'POST',
      '/v1/events',
      { ...evil, 'content-type': 'application/json' },
      JSON.stringify(sampleEvent(1, 'run-rebound')),
    );
    expect(posted.status).toBe(403);
  });

  it('answers loopback Host names, including /health for local health checks', async () => {
    expect((await send(base, 'GET', '/health')).status).toBe(200);
    expect((await send(base, 'GET', '/health', { Host: `localhost:${port}` })).status).toBe(200);
    expect((await send(base, 'GET', '/v1/stats', { Host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses requests from a page of another origin (cross-site request forgery)', async () => {
    const origin = { Origin: 'https://evil.example' };
    const backup = await send(base, 'POST', '/v1/backups', origin);
    expect(backup.status).toBe(403);
    expect(code(backup)).toBe('FORBIDDEN_ORIGIN');
    const posted = await send(
      base,
      'POST',
      '/v1/events',
      { ...origin, 'content-type': 'text/plain' },
      JSON.stringify(sampleEvent(2, 'run-csrf')),
    );
    expect(posted.status).toBe(403);
    const accepted = await send(
      base,
      'POST',
      '/v1/events',
      { 'content-type': 'application/json' },
      JSON.stringify(sampleEvent(3, 'run-ok')),
    );
    expect(accepted.status).toBe(200);
    const stored = storedEventIds(ctx.dir);
    expect(stored).toEqual(accepted.json['event_ids']);
  });

  it('refuses /v1/stream upgrades from another origin or with a rebinding Host', async () => {
    const url = `${base.replace('http', 'ws')}/v1/stream`;
    expect(await handshake(url, { Origin: 'https://evil.example' })).toBe(403);
    expect(
      await handshake(url, { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` }),
    ).toBe(403);
    expect(await handshake(url, { Origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await handshake(url)).toBe(101);
  });
});

describe('collector with a token', () => {
  let ctx: Awaited<ReturnType<typeof startTestCollector>>;
  beforeAll(async () => {
    ctx = await startTestCollector({ OBS_COLLECTOR_TOKEN: TOKEN, OBS_STREAM: 'true' });
  });
  afterAll(() => ctx.cleanup());

  it('accepts any Host with the token, keeps /health open, and still refuses other origins', async () => {
    const base = ctx.collector.url;
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await send(base, 'GET', '/v1/stats', { ...auth, Host: 'collector.example' })).status).toBe(200);
    expect((await send(base, 'GET', '/health', { Host: 'collector.example' })).status).toBe(200);
    const missing = await send(base, 'GET', '/v1/stats', { Host: 'collector.example' });
    expect(missing.status).toBe(401);
    expect(code(missing)).toBe('UNAUTHORIZED');
    const forged = await send(base, 'POST', '/v1/backups', { ...auth, Origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    const stream = `${base.replace('http', 'ws')}/v1/stream`;
    expect(await handshake(stream, { ...auth, Origin: 'https://evil.example' })).toBe(403);
    expect(await handshake(stream, auth)).toBe(101);
  });
});

describe('collector bind address', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'binds the loopback address %s without a token',
    (host) => {
      const config = loadCollectorConfig({ OBS_COLLECTOR_HOST: host, OBS_DATA_DIR: '/nonexistent' });
      expect(config.http.host).toBe(host.replace(/^\[|\]$/g, ''));
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.20', '127.0.0.1.nip.io'])('requires a token to bind %s', (host) => {
    expect(() => loadCollectorConfig({ OBS_COLLECTOR_HOST: host })).toThrow(/requires a token/);
  });
});
