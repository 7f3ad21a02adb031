import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createAdminServer } from '@obs/admin';
import { openPostgresReadStore } from '@obs/read-store';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { killedAfterEach } from './test/harness.js';

const children = killedAfterEach();
const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const AGENT = join(import.meta.dirname, '..', 'test-fixtures', 'agent.mjs');
const HOSTS = 4;
const AGENTS_PER_HOST = 2;
const RUNS = 5;
const EVENTS_PER_RUN = 60;

/** Lines a child prints, and a promise of its exit code. */
function run(command: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, command, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

/** Resolves with the collector's URL once it prints it (bounded), rejects if it exits first. */
async function urlOf(collector: ReturnType<typeof run>): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = collector.lines.map((l) => /listening on (http:\/\/\S+)/.exec(l)).find((m) => m !== null);
    if (match) return match[1]!;
    if (collector.child.exitCode !== null) throw new Error(`collector exited: ${collector.stderr()}`);
    if (Date.now() > deadline) throw new Error(`collector printed no URL in 20 s: ${collector.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  child.kill('SIGTERM');
  return exited;
}

describe('many hosts: 4 collectors, each fed by 2 agent processes, one PostgreSQL', () => {
  it('stores every accepted event exactly once, and the admin lists the runs of all', {
    timeout: 90_000,
  }, async () => {
    const base = inject('pgUrl');
    const password = decodeURIComponent(new URL(base).password);
    const database = `hosts_${process.pid}`;
    const admin = new pg.Client(base);
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${database}`;

    const collectors = Array.from({ length: HOSTS }, (_, h) =>
      run([MAIN], {
        OBS_MODE: 'postgres',
        OBS_POSTGRES_URL: url.href,
        OBS_COLLECTOR_PORT: '0',
        OBS_SOURCE: `collector-${h}`,
      }),
    );
    const urls = await Promise.all(collectors.map(urlOf));
    const health = await (await fetch(`${urls[0]}/health`)).text();
    expect(health).not.toContain(password);

    const agents = urls.flatMap((collectorUrl, h) =>
      Array.from({ length: AGENTS_PER_HOST }, (_, a) =>
        run([AGENT, collectorUrl, `host${h}-agent${a}`, String(RUNS), String(EVENTS_PER_RUN)], {}),
      ),
    );
    const codes = await Promise.all(agents.map((a) => a.exited));
    expect(codes, agents.map((a) => a.stderr()).join('\n')).toEqual(agents.map(() => 0));
    for (const c of collectors) expect(await stop(c.child, c.exited)).toBe(0);
    for (const c of collectors) expect(c.stderr()).not.toContain(password);

    const accepted = new Set(agents.flatMap((a) => a.lines.filter((l) => l !== 'done')));
    const total = HOSTS * AGENTS_PER_HOST * RUNS * EVENTS_PER_RUN;
    expect(accepted.size).toBe(total);
    const reader = new pg.Client({ connectionString: url.href, options: '-c search_path=obs' });
    await reader.connect();
    const { rows } = await reader.query('SELECT event_id::text AS id FROM events');
    const counts = await reader.query('SELECT sum(event_count)::int AS n FROM runs');
    await reader.end();
    expect(rows.length).toBe(total);
    expect(new Set(rows.map((r) => r.id))).toEqual(accepted);
    expect(counts.rows[0].n).toBe(total);

    const store = await openPostgresReadStore(url.href);
    const server = await createAdminServer({ store, port: 0 });
    try {
      const runs = (await (await fetch(`${server.url}api/runs?limit=1000`)).json()) as {
        items: { run_id: string; status: string; event_count: number }[];
      };
      const expected = Array.from({ length: HOSTS * AGENTS_PER_HOST }, (_, i) =>
        Array.from(
          { length: RUNS },
          (_, r) => `host${Math.floor(i / AGENTS_PER_HOST)}-agent${i % AGENTS_PER_HOST}-run-${r}`,
        ),
      ).flat();
      expect(runs.items.map((r) => r.run_id).sort()).toEqual(expected.sort());
      for (const r of runs.items) expect(r).toMatchObject({ status: 'success', event_count: EVENTS_PER_RUN });
    } finally {
      await server.close();
      await store.close();
    }
  });
});
