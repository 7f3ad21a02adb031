import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A throwaway PostgreSQL cluster: its URL (with a password), and how to stop and remove it. */
export interface TestPostgres {
  /** `postgres://obs:<password>@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** Stops the server (fast shutdown, then SIGKILL after a bound) and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startTestPostgres}. */
export interface StartTestPostgresOptions {
  /** The server binaries; default `$OBS_PG_BIN`, else the newest `/usr/lib/postgresql/<n>/bin`. */
  binDir?: string;
  /** Longest wait for the server to accept connections (default 30 s). */
  readyTimeoutMs?: number;
}

const NOBODY = { uid: 65534, gid: 65534 };

/** The newest Debian PostgreSQL bin directory with `initdb`, or undefined. */
export function findPostgresBinDir(): string | undefined {
  const fromEnv = process.env['OBS_PG_BIN'];
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

/**
 * Starts a PostgreSQL server from its binaries in a new temp directory, on a free loopback port, with
 * its unix socket in that directory and password (SCRAM) authentication for user `obs`. `initdb`
 * refuses to run as root, so as root the server runs as `nobody` (the directory is handed to it).
 * Durability is off (`fsync=off`): it is for tests. Removed on `stop()` and at process exit.
 */
export async function startTestPostgres(options: StartTestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = options.binDir ?? findPostgresBinDir();
  if (bin === undefined) {
    throw new Error(
      'no PostgreSQL server binaries: install Debian\'s "postgresql" (scripts/ensure-postgres.sh) or set OBS_PG_BIN',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'obs-pg-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? NOBODY : {};
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const data = join(dir, 'data');
  let server: ChildProcess | undefined;
  const removeAll = () => {
    if (server !== undefined && server.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeAll);
  try {
    writeFileSync(join(dir, 'pw'), password);
    if (asRoot) {
      chownSync(dir, NOBODY.uid, NOBODY.gid);
      chownSync(join(dir, 'pw'), NOBODY.uid, NOBODY.gid);
    }
    chmodSync(dir, 0o700);
    execFileSync(
      join(bin, 'initdb'),
      [
        '-D',
        data,
        '-U',
        'obs',
        '--pwfile',
        join(dir, 'pw'),
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '-N',
        '-E',
        'UTF8',
        '--locale=C',
      ],
      { ...user, stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } },
    );
    const port = await freePort();
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      '-c',
      'log_min_messages=fatal',
    ];
    const started = spawn(join(bin, 'postgres'), args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
    server = started;
    let stderr = '';
    started.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const url = `postgres://obs:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    await waitReady(url, started, options.readyTimeoutMs ?? 30_000, () => stderr);
    return {
      url,
      port,
      password,
      stop: async () => {
        process.removeListener('exit', removeAll);
        if (started.exitCode === null && started.signalCode === null) {
          const exited = new Promise((resolve) => started.once('exit', resolve));
          started.kill('SIGINT');
          const timer = setTimeout(() => started.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.removeListener('exit', removeAll);
    removeAll();
    throw error;
  }
}

async function waitReady(
  url: string,
  server: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with code ${server.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) {
        throw new Error(
          `postgres did not accept connections within ${timeoutMs} ms: ${(error as Error).message}\n${log()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
