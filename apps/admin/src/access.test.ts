import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AdminServer, createAdminServer } from './admin-server.js';
import { AdminConfigError } from './http-error.js';
import { getApi, startAdmin } from './test/admin-fixture.js';
import { rawRequest } from './test/http-client.js';
import { createStoreFixture, type StoreFixture } from './test/store-fixture.js';

const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
let fx: StoreFixture;
beforeAll(async () => {
  fx = await createStoreFixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

/** Resolves with the HTTP status of a WebSocket handshake (101 when it opened). */
function handshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

describe('binding and options', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20'])('refuses to bind %s without a token', async (host) => {
    const attempt = createAdminServer({ store: fx.sqlite, host, port: 0 });
    await expect(attempt).rejects.toBeInstanceOf(AdminConfigError);
    await expect(attempt).rejects.toThrow(/without a token.*--token/);
  });

  it.each(['short', 'has spaces in it but long enough', 'x'.repeat(513)])(
    'rejects the weak token %j',
    async (token) => {
      await expect(createAdminServer({ store: fx.sqlite, port: 0, token })).rejects.toThrow(
        /16 to 512 characters/,
      );
    },
  );

  it('rejects a port out of range and a missing store', async () => {
    await expect(createAdminServer({ store: fx.sqlite, port: 70_000 })).rejects.toThrow(/port/);
    await expect(createAdminServer({ store: undefined as never, port: 0 })).rejects.toThrow(/ReadStore/);
  });

  it('binds every interface when given a token, and answers only with it', async () => {
    const admin = await createAdminServer({ store: fx.sqlite, host: '0.0.0.0', port: 0, token: TOKEN });
    try {
      const url = `http://127.0.0.1:${admin.port}/api/runs`;
      expect((await rawRequest(url)).status).toBe(401);
      expect((await rawRequest(url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      // With a token the Host check is off: the token is what keeps others out.
      const foreign = await rawRequest(url, {
        headers: { Authorization: `Bearer ${TOKEN}`, Host: 'admin.example' },
      });
      expect(foreign.status).toBe(200);
    } finally {
      await admin.close();
    }
  });
});

describe('token access on loopback', () => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdmin(fx.sqlite, { token: TOKEN });
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('refuses the API, the UI and the live socket without the token', async () => {
    const api = await getApi<{ error: { code: string } }>(admin, '/api/runs');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('UNAUTHORIZED');
    expect((await rawRequest(admin.url)).status).toBe(401);
    expect(await handshake(`ws://127.0.0.1:${admin.port}/api/live`)).toBe(401);
  });

  it('refuses a wrong token, even one that differs only in the last character', async () => {
    const wrong = `${TOKEN.slice(0, -1)}0`;
    expect((await getApi(admin, '/api/runs', { Authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await rawRequest(`${admin.url}?token=${wrong}`)).status).toBe(401);
  });

  it('trades ?token= for an HttpOnly cookie and drops it from the URL', async () => {
    const login = await rawRequest(`${admin.url}?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers['location']).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const pair = cookie.split(';')[0]!;
    expect((await getApi(admin, '/api/runs', { Cookie: pair })).status).toBe(200);
    expect((await rawRequest(admin.url, { headers: { Cookie: pair } })).status).toBe(200);
    expect(await handshake(`ws://127.0.0.1:${admin.port}/api/live`, { Cookie: pair })).toBe(101);
  });
});

describe('live socket handshake', () => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdmin(fx.sqlite);
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('accepts a same-origin page and a non-browser client', async () => {
    const url = `ws://127.0.0.1:${admin.port}/api/live`;
    expect(await handshake(url)).toBe(101);
    expect(await handshake(url, { Origin: `http://127.0.0.1:${admin.port}` })).toBe(101);
  });

  it('refuses a cross-site page (socket hijacking) and a rebinding Host', async () => {
    const url = `ws://127.0.0.1:${admin.port}/api/live`;
    expect(await handshake(url, { Origin: 'https://evil.example' })).toBe(403);
    expect(
      await handshake(url, {
        Host: `evil.example:${admin.port}`,
        Origin: `http://evil.example:${admin.port}`,
      }),
    ).toBe(403);
  });

  it('refuses bad filters and unknown socket paths', async () => {
    expect(await handshake(`ws://127.0.0.1:${admin.port}/api/live?status=maybe`)).toBe(400);
    expect(await handshake(`ws://127.0.0.1:${admin.port}/api/other`)).toBe(404);
  });

  it('names each bad filter in the refusal, without letting it write a header', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${admin.port}/api/live?status=%0D%0AX-Evil:%201&colour=red&%C3%A9%E2%80%A8=1`,
      );
      ws.on('unexpected-response', (_req, response) => {
        resolve(response);
        ws.terminate();
      });
      ws.on('error', reject);
    });
    expect(res.statusCode).toBe(400);
    expect(res.statusMessage).toContain('status: expected one of ok, error, got "\\r\\nX-Evil: 1"');
    expect(res.statusMessage).toContain('colour: unknown parameter; expected one of: run_id');
    expect(res.statusMessage).toContain('??: unknown parameter');
    expect(res.headers['x-evil']).toBeUndefined();
    expect(res.statusMessage).toMatch(/^[\x20-\x7e]*$/);
  });

  it('caps the number of live sockets', async () => {
    const small = await createAdminServer({ store: fx.sqlite, port: 0, maxLiveClients: 1 });
    const first = new WebSocket(`ws://127.0.0.1:${small.port}/api/live`);
    try {
      await new Promise((resolve) => first.once('open', resolve));
      expect(await handshake(`ws://127.0.0.1:${small.port}/api/live`)).toBe(503);
    } finally {
      first.close();
      await small.close();
    }
  });
});
