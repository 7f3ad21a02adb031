import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObsConfigError } from '@obs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessCheckOptions,
  AccessGuard,
  type AccessGuardOptions,
  bearerToken,
  hostNameOf,
  isLoopbackHost,
  tokenMatches,
} from './access-guard.js';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.255.3.4',
    '::1',
    '[::1]',
    'localhost',
    'LOCALHOST',
    '::ffff:127.0.0.1',
    '0:0:0:0:0:0:0:1',
  ])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '',
    '0.0.0.0',
    '::',
    '128.0.0.1',
    '127.0.0.256',
    '127.1',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'localhost.evil.example',
    '127.0.0.1.evil.example',
    'evil.example',
  ])('refuses %j', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('keeps its verdicts right past the bound on remembered names (a client choosing many Host values)', () => {
    for (let i = 0; i < 600; i++) {
      expect(isLoopbackHost(`127.0.${i >> 8}.${i & 255}`)).toBe(true);
      expect(isLoopbackHost(`10.0.${i >> 8}.${i & 255}`)).toBe(false);
    }
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('example.com')).toBe(false);
  });
});

describe('hostNameOf', () => {
  it('reads the name of a Host header, with or without port, brackets and case', () => {
    expect(hostNameOf('127.0.0.1:4600')).toBe('127.0.0.1');
    expect(hostNameOf('[::1]:4600')).toBe('::1');
    expect(hostNameOf('LocalHost')).toBe('localhost');
  });

  it('returns null for a missing or malformed header', () => {
    for (const bad of [undefined, '', '::1', 'a b', 'user@host', 'host:port', 'host:123456', '[zz]:1']) {
      expect(hostNameOf(bad)).toBeNull();
    }
  });
});

describe('tokens', () => {
  it('parses only a well-formed Bearer header', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer   ${TOKEN} `)).toBe(TOKEN);
    expect(bearerToken(`Basic ${TOKEN}`)).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares tokens of any length without throwing', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN.slice(0, -1)}x`, TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, 4), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}${TOKEN}`, TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });

  it('refuses an empty configured token', () => {
    expect(() => new AccessGuard({ token: '' })).toThrow(ObsConfigError);
  });
});

/** A server on 127.0.0.1 answering with the guard's verdict: `200 ok` or `<status> <code>`. */
async function startGuarded(options: AccessGuardOptions, check: AccessCheckOptions = {}) {
  const guard = new AccessGuard(options);
  const server: Server = createServer((req, res) => {
    const denial = guard.check(req, check);
    res.writeHead(denial?.status ?? 200).end(denial?.code ?? 'ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const send = (path: string, headers: Record<string, string> = {}) =>
    new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('error', reject);
      req.end();
    });
  return { port, send, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('AccessGuard without a token (loopback only)', () => {
  let srv: Awaited<ReturnType<typeof startGuarded>>;
  beforeAll(async () => {
    srv = await startGuarded({ hosts: ['obs.internal'] });
  });
  afterAll(() => srv.close());

  it('accepts loopback Host names and the configured extra host', async () => {
    expect(await srv.send('/')).toBe('200 ok');
    expect(await srv.send('/', { Host: `localhost:${srv.port}` })).toBe('200 ok');
    expect(await srv.send('/', { Host: `[::1]:${srv.port}` })).toBe('200 ok');
    expect(await srv.send('/', { Host: 'obs.internal' })).toBe('200 ok');
  });

  it('refuses a DNS-rebinding Host with 403', async () => {
    expect(await srv.send('/', { Host: 'evil.example' })).toBe('403 FORBIDDEN_HOST');
    expect(await srv.send('/', { Host: `127.0.0.1.evil.example:${srv.port}` })).toBe('403 FORBIDDEN_HOST');
  });

  it('refuses a cross-origin upgrade and accepts a same-origin or Origin-less one', async () => {
    const upgrade = { Connection: 'Upgrade', Upgrade: 'websocket' };
    expect(await srv.send('/', { ...upgrade, Origin: 'https://evil.example' })).toBe('403 FORBIDDEN_ORIGIN');
    expect(await srv.send('/', { ...upgrade, Origin: 'null' })).toBe('403 FORBIDDEN_ORIGIN');
    expect(await srv.send('/', { ...upgrade, Origin: `http://127.0.0.1:${srv.port}` })).toBe('200 ok');
    expect(await srv.send('/', upgrade)).toBe('200 ok');
    // Plain requests leave Origin alone unless asked to check it.
    expect(await srv.send('/', { Origin: 'https://evil.example' })).toBe('200 ok');
  });
});

describe('AccessGuard with a token', () => {
  let srv: Awaited<ReturnType<typeof startGuarded>>;
  let strict: Awaited<ReturnType<typeof startGuarded>>;
  beforeAll(async () => {
    srv = await startGuarded({ token: TOKEN, queryToken: true, cookie: 'tok' });
    strict = await startGuarded({ token: TOKEN }, { origin: true });
  });
  afterAll(async () => {
    await srv.close();
    await strict.close();
  });

  it('accepts the token from the header, the query or the cookie, whatever the Host', async () => {
    expect(await srv.send('/', { Authorization: `Bearer ${TOKEN}`, Host: 'obs.example' })).toBe('200 ok');
    expect(await srv.send(`/?token=${TOKEN}`)).toBe('200 ok');
    expect(await srv.send('/', { Cookie: `a=b; tok=${TOKEN}` })).toBe('200 ok');
  });

  it('refuses a missing, wrong or truncated token with 401', async () => {
    expect(await srv.send('/')).toBe('401 UNAUTHORIZED');
    expect(await srv.send('/', { Authorization: `Bearer ${TOKEN.slice(0, -1)}x` })).toBe('401 UNAUTHORIZED');
    expect(await srv.send(`/?token=${TOKEN.slice(0, 8)}`)).toBe('401 UNAUTHORIZED');
  });

  it('ignores ?token= and cookies unless enabled, and checks Origin when asked', async () => {
    expect(await strict.send(`/?token=${TOKEN}`)).toBe('401 UNAUTHORIZED');
    expect(await strict.send('/', { Cookie: `tok=${TOKEN}` })).toBe('401 UNAUTHORIZED');
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect(await strict.send('/', { ...auth, Origin: 'https://evil.example' })).toBe('403 FORBIDDEN_ORIGIN');
    expect(await strict.send('/', auth)).toBe('200 ok');
  });
});
