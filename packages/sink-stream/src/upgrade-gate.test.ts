import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from './event-bus.js';
import { createStreamServer } from './stream-server.js';
import { closeAll, makeEnvelope, RawClient, startServer } from './test/helpers.js';

const TOKEN = 'test-token-0123456789abcdef';
const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await closeAll(...cleanup.splice(0));
});

/** The HTTP status and body of a handshake (101 and '' when it opened). */
function handshake(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        ws.terminate();
      });
    });
    ws.on('error', (error) => {
      if (!/closed before the connection/.test(error.message)) reject(error);
    });
  });
}

async function started(options: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(options);
  cleanup.push(s.server);
  return { ...s, port: Number(new URL(s.url).port) };
}

describe('stream upgrades without a token (loopback only)', () => {
  it('refuses a DNS-rebinding Host with 403 and says why', async () => {
    const { url, server, port } = await started();
    const refused = await handshake(url, { Host: `evil.example:${port}` });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/loopback host name/);
    expect(server.stats()).toMatchObject({ refused: 1, clients: 0 });
  });

  it('refuses a page of another origin with 403 and never sends it a frame', async () => {
    const { url, bus } = await started();
    bus.publish(makeEnvelope(1));
    const refused = await handshake(url, { Origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/another origin/);
    expect((await handshake(url, { Origin: 'null' })).status).toBe(403);
  });

  it('accepts loopback names, a same-origin page and a client without Origin', async () => {
    const { url, port } = await started();
    expect((await handshake(url)).status).toBe(101);
    expect((await handshake(url, { Host: `localhost:${port}` })).status).toBe(101);
    expect((await handshake(url, { Origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect(
      (await handshake(url, { Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status,
    ).toBe(101);
  });

  it('applies the same checks when attached to an existing server', async () => {
    const http: Server = createServer((_req, res) => res.end('app'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push({ close: () => new Promise<void>((r) => http.close(() => r())) });
    const server = createStreamServer({ bus: new EventBus(), server: http, path: '/live' });
    cleanup.push(server);
    const { port } = http.address() as AddressInfo;
    const url = `ws://127.0.0.1:${port}/live`;
    expect((await handshake(url, { Host: 'evil.example' })).status).toBe(403);
    expect((await handshake(url, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await handshake(url)).status).toBe(101);
  });
});

describe('stream upgrades with a token', () => {
  it('accepts any Host with the token, but still refuses another origin', async () => {
    const { url } = await started({ token: TOKEN });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await handshake(url, { ...auth, Host: 'stream.example' })).status).toBe(101);
    expect((await handshake(url, { ...auth, Origin: 'https://evil.example' })).status).toBe(403);
    expect((await handshake(`${url}?token=${TOKEN}`, { Origin: 'https://evil.example' })).status).toBe(403);
  });

  it('answers 401 for a bad token before any 503 for a full server', async () => {
    const { url } = await started({ token: TOKEN, maxClients: 1 });
    const first = await RawClient.open(`${url}?token=${TOKEN}`);
    cleanup.push(first);
    const missing = await handshake(url);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatch(/Authorization: Bearer/);
    expect((await handshake(`${url}?token=${TOKEN}`)).status).toBe(503);
  });
});
