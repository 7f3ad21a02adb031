import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './workspace.js';

/**
 * `createObservabilityFromEnv` as a user gets it from the registry: `@obs/core` and `@obs/sink-jsonl`
 * (with `@obs/store-format`, which the sink depends on) packed and installed with npm into an empty
 * project, without `@obs/sink-sqlite` or better-sqlite3.
 */
const work = mkdtempSync(join(tmpdir(), 'obs-from-env-'));
const app = join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pack = (dir: string): string => {
  const before = new Set(readdirSync(work));
  execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: join(ROOT, dir), stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
  if (!tarball) throw new Error(`pnpm pack made no tarball for ${dir}`);
  return join(work, tarball);
};
const npmInstall = (args: string[]) =>
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', ...args], {
    cwd: app,
    stdio: 'pipe',
  });

const MAIN = `import { createObservabilityFromEnv } from '@obs/core';

const obs = await createObservabilityFromEnv();
await obs.withContext({ run_id: 'run-packed' }, () =>
  obs.span('work', async () => {
    obs.emit('tool.call', { tool: 'search' });
  }),
);
await obs.shutdown();
console.log(JSON.stringify({ mode: obs.config.mode, jsonlDir: obs.config.jsonlDir, stats: obs.stats().sinks.map((s) => [s.name, s.written]) }));
`;

/** Runs a script of the project with the given OBS_* variables (and none inherited). */
const run = (env: Record<string, string>, script = 'main.js') => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OBS_')));
  return spawnSync(process.execPath, [script], { cwd: app, encoding: 'utf8', env: { ...clean, ...env } });
};

beforeAll(() => {
  const tarballs = ['packages/core', 'packages/store-format', 'packages/sink-jsonl'].map(pack);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npmInstall(tarballs);
  writeFileSync(join(app, 'main.js'), MAIN);
});

describe('createObservabilityFromEnv, installed from packed tarballs', () => {
  it('the project has the JSONL sink and neither the SQLite sink nor better-sqlite3', () => {
    expect(existsSync(join(app, 'node_modules/@obs/sink-jsonl/package.json'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@obs/sink-sqlite'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/better-sqlite3'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/@obs/core/package.json'), 'utf8'));
    expect(manifest.peerDependencies['@obs/sink-jsonl']).toBe('>=0.1.0'); // the workspace: protocol is gone
    expect(manifest.peerDependenciesMeta['@obs/sink-sqlite']).toEqual({ optional: true });
  });

  it('OBS_MODE=file_only writes the events to the JSONL trail under OBS_DATA_DIR', () => {
    const data = join(work, 'data-file-only');
    const result = run({ OBS_MODE: 'file_only', OBS_DATA_DIR: data, OBS_SOURCE: 'packed-app' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      mode: 'file_only',
      jsonlDir: `${data}/jsonl`,
      stats: [['jsonl', 2]],
    });
    // the trail and its hash-chain sidecar (see @obs/sink-jsonl)
    expect(readdirSync(join(data, 'jsonl')).sort()).toEqual(['events.jsonl', 'events.jsonl.chain']);
    const events = readFileSync(join(data, 'jsonl/events.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => [e.event_type, e.run_id, e.source])).toEqual([
      ['tool.call', 'run-packed', 'packed-app'],
      ['span', 'run-packed', 'packed-app'],
    ]);
    expect(events[0]!.parent_event_id).toBe(events[1]!.event_id);
    expect(existsSync(join(data, 'events.db'))).toBe(false);
  });

  it("the root README's quick start runs there as written", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Quick start'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toContain('createObservabilityFromEnv()');
    writeFileSync(join(app, 'app.mjs'), code!);
    const data = join(work, 'data-quick-start');
    const result = run({ OBS_MODE: 'file_only', OBS_DATA_DIR: data }, 'app.mjs');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const types = readFileSync(join(data, 'jsonl/events.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event_type: string }).event_type);
    expect(types).toEqual(['llm.call', 'tool.call', 'span']);
  });

  it('OBS_MODE=dual exits non-zero saying to install @obs/sink-sqlite, and writes nothing', () => {
    const data = join(work, 'data-dual');
    const result = run({ OBS_MODE: 'dual', OBS_DATA_DIR: data });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('OBS_MODE=dual needs @obs/sink-sqlite: npm i @obs/sink-sqlite');
    expect(result.stderr).toContain("code: 'OBS_CONFIG'");
    expect(result.stdout).toBe('');
    expect(existsSync(data)).toBe(false);
  });

  it('with @obs/sink-sqlite installed but better-sqlite3 not built, says it failed to load and why', () => {
    // --ignore-scripts: better-sqlite3 arrives without its native binding, as when a package manager
    // blocks build scripts
    npmInstall(['--ignore-scripts', pack('packages/sink-sqlite')]);
    expect(existsSync(join(app, 'node_modules/better-sqlite3/package.json'))).toBe(true);
    const result = run({ OBS_MODE: 'db_only', OBS_DATA_DIR: join(work, 'data-db-only') });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'OBS_MODE=db_only needs @obs/sink-sqlite, which is installed but failed to load:',
    );
    expect(result.stderr).toContain('Could not locate the bindings file');
    expect(result.stderr).toContain('npm rebuild better-sqlite3');
  });
});
