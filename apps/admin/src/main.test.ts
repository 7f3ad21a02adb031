import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStoreFixture, type StoreFixture } from './test/store-fixture.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let fx: StoreFixture;
beforeAll(async () => {
  fx = await createStoreFixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

/** Servers started here: one still running when its test ends (a failed step) is SIGKILLed. */
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

/** Runs the built CLI until it prints its URL (or exits); resolves with what it printed. */
function run(
  args: string[],
): Promise<{ child: ChildProcess; out: string; code: number | null; url: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+?\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, out, code: null, url: m[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ child, out, code, url: null });
    });
  });
}

describe('obs-admin CLI (dist/main.js)', () => {
  it.each([
    ['sqlite', () => fx.dbPath],
    ['jsonl', () => fx.jsonlDir],
  ])('serves a %s store and stops cleanly on SIGTERM', async (kind, path) => {
    const started = await run(['--store', path(), '--port', '0']);
    expect(started.url, started.out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const info = await (await fetch(new URL('api/info', started.url!))).json();
    expect(info).toEqual({ kind, auth: false });
    let out = started.out;
    started.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    started.child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
  });

  it('refuses to bind a public address without a token, saying why', async () => {
    const result = await run(['--store', fx.dbPath, '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/refusing to bind 0\.0\.0\.0 without a token/);
  });

  it('never prints the password of a postgres:// store it cannot open', async () => {
    const result = await run(['--store', 'postgres://obs:pa55-w0rd@127.0.0.1:1/obs', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.out).toContain('cannot open the store at postgres://obs:***@127.0.0.1:1/obs');
    expect(result.out).not.toContain('pa55-w0rd');
  });

  it.each([
    [[], /--store is required/],
    [['--store', '/no/such/obs/store.db'], /cannot open the store/],
    [['--store', 'x', '--port', 'http'], /--port expects an integer/],
    [['--store', 'x', '--colour'], /Unknown option/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(message);
  });
});
