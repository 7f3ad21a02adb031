import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './workspace.js';

const work = mkdtempSync(join(tmpdir(), 'obs-first-'));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** True when nothing listens on the port (a listen on it succeeds). */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    server.close();
    await once(server, 'close');
    return true;
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm start hands signals to the demo', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops every process and frees its ports on %s to npm',
    async (signal) => {
      const dataDir = join(work, `data-${signal}`);
      const [adminPort, collectorPort] = [await freePort(), await freePort()];
      const npm = spawn(
        'npm',
        [
          'start',
          '--',
          '--duration',
          '1',
          '--data-dir',
          dataDir,
          '--admin-port',
          `${adminPort}`,
          '--collector-port',
          `${collectorPort}`,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      started.push(npm);
      let output = '';
      npm.stderr.on('data', (chunk: Buffer) => {
        output += chunk;
      });
      await new Promise<void>((resolve, reject) => {
        npm.stdout.on('data', (chunk: Buffer) => {
          output += chunk;
          if (output.includes('Serving the dashboard')) resolve();
        });
        npm.once('exit', (code) =>
          reject(new Error(`npm start exited (${code}) before serving:\n${output}`)),
        );
      });
      expect(processesWith(dataDir).length).toBeGreaterThan(0);
      expect(await portIsFree(adminPort)).toBe(false);

      npm.kill(signal);
      await once(npm, 'exit');
      const deadline = Date.now() + 20_000;
      while (processesWith(dataDir).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(processesWith(dataDir)).toEqual([]);
      expect(await portIsFree(adminPort)).toBe(true);
      expect(await portIsFree(collectorPort)).toBe(true);
    },
  );
});

describe('the CLIs are on the monorepo PATH after the README commands', () => {
  const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

  it('runs `obs` from the root', () => {
    expect(execFileSync(bin('obs'), ['--help'], { cwd: ROOT, encoding: 'utf8' })).toMatch(
      /^obs — read an obs/,
    );
  });

  it('runs `obs-backup` without the AWS SDK notice about Node versions', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const run = spawnResult(
      bin('obs-backup'),
      ['list', '--bucket', 'b', '--endpoint', 'http://127.0.0.1:9', '--path-style'],
      env,
    );
    expect(run.stderr).toMatch(/obs-backup: listing s3:\/\/b\/obs-backups failed/);
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });
});

function spawnResult(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; stderr: string } {
  try {
    execFileSync(file, args, { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stderr: '' };
  } catch (error) {
    const e = error as { status: number | null; stderr: string };
    return { status: e.status, stderr: e.stderr };
  }
}
