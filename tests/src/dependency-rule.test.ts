import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, ROOT, reExportsOf, shippedSources, workspacePackages } from './workspace.js';

/** SPEC §1: what each package may depend on at runtime. */
const ALLOWED: Record<string, string[]> = {
  '@obs/core': ['zod'],
  '@obs/store-format': ['@obs/core', 'zod'],
  '@obs/http-access': ['@obs/core'],
  '@obs/sink-jsonl': ['@obs/core', '@obs/store-format', 'zod'],
  '@obs/sink-sqlite': ['@obs/core', '@obs/store-format', 'better-sqlite3', 'zod'],
  '@obs/sink-stream': ['@obs/core', '@obs/http-access', 'ws', 'zod'],
  '@obs/sink-postgres': ['@obs/core', '@obs/store-format', 'pg', 'pg-copy-streams', 'zod'],
  '@obs/sink-console': ['@obs/core', 'picocolors', 'zod'],
  '@obs/otlp': ['@obs/core', 'protobufjs', 'zod'],
  '@obs/backup-s3': [
    '@obs/core',
    '@obs/store-format',
    '@aws-sdk/client-s3',
    '@aws-sdk/lib-storage',
    'archiver',
    'better-sqlite3',
    'tar-stream',
    'zod',
  ],
  '@obs/read-store': ['@obs/core', '@obs/store-format', 'better-sqlite3', 'cli-progress', 'pg', 'zod'],
};

/**
 * Optional peers a package may declare beyond ALLOWED: `@obs/core`'s `createObservabilityFromEnv`
 * imports the sink packages the configuration names, when the application installed them. A peer
 * (not a dependency) keeps core's install free of them, and turbo builds no edge from peers, so the
 * sinks still build after core.
 */
const OPTIONAL_PEERS: Record<string, RegExp> = {
  '@obs/core': /^@obs\/sink-[a-z0-9-]+$/,
  // `obs import` and `obs prune` write through the writers' own code, loaded only when run
  '@obs/read-store': /^@obs\/sink-(sqlite|jsonl)$/,
};

/** Node modules that would mean file, network or compression I/O, which core leaves to the packages. */
const CORE_FORBIDDEN = ['node:fs', 'node:fs/promises', 'node:zlib', 'node:net', 'node:http', 'node:https'];

const packages = workspacePackages();

describe('dependency rule (SPEC §1)', () => {
  it.each(Object.entries(ALLOWED))('%s depends only on what it is allowed to', (name, allowed) => {
    const pkg = packages.find((p) => p.manifest.name === name);
    expect(pkg, `${name} exists`).toBeDefined();
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = pkg!.manifest;
    const optionalPeer = (d: string) =>
      peerDependenciesMeta[d]?.optional === true && OPTIONAL_PEERS[name]?.test(d) === true;
    expect(Object.keys(dependencies).filter((d) => !allowed.includes(d))).toEqual([]);
    expect(Object.keys(peerDependencies).filter((d) => !allowed.includes(d) && !optionalPeer(d))).toEqual([]);
  });

  it.each(Object.keys(ALLOWED))('%s imports no package it does not declare', (name) => {
    const pkg = packages.find((p) => p.manifest.name === name)!;
    const declared = new Set([
      name,
      ...Object.keys(pkg.manifest.dependencies ?? {}),
      ...Object.keys(pkg.manifest.peerDependencies ?? {}),
    ]);
    const undeclared = shippedSources(pkg.dir).flatMap((file) =>
      importsOf(file)
        .filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))
        .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!))
        .filter((dep) => !declared.has(dep))
        .map((dep) => `${file} imports ${dep}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('every published package is covered by this rule', () => {
    const published = packages.filter((p) => !p.manifest.private).map((p) => p.manifest.name);
    expect(published.filter((name) => !(name in ALLOWED))).toEqual([]);
  });

  it('@obs/core declares as optional peers exactly the sink packages its bootstrap imports', () => {
    const core = packages.find((p) => p.manifest.name === '@obs/core')!;
    // createObservabilityFromEnv imports them through a variable, so look for the names in the code
    const code = (file: string) =>
      readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    const named = new Set(
      shippedSources(core.dir).flatMap((file) =>
        [...code(file).matchAll(/['"`](@obs\/sink-[a-z0-9-]+)['"`]/g)].map((m) => m[1]!),
      ),
    );
    expect(named.size).toBeGreaterThanOrEqual(3);
    const peers = core.manifest.peerDependencies ?? {};
    expect(Object.keys(peers).sort()).toEqual([...named].sort());
    for (const peer of named) {
      expect(core.manifest.peerDependenciesMeta?.[peer]?.optional, `${peer} is an optional peer`).toBe(true);
      // in range of every future version, so a sink's release never forces a major release of core
      expect(peers[peer], `${peer}'s range`).toBe('workspace:>=0.1.0');
    }
  });

  it("turbo sees no edge from core's optional peers: core builds first, the sinks after it", () => {
    const plan = JSON.parse(
      execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--dry=json'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { tasks: { taskId: string; dependencies: string[] }[] };
    const deps = (id: string) => plan.tasks.find((t) => t.taskId === id)?.dependencies;
    expect(deps('@obs/core#build')).toEqual([]);
    for (const sink of ['@obs/sink-jsonl', '@obs/sink-sqlite', '@obs/sink-stream']) {
      expect(deps(`${sink}#build`)).toContain('@obs/core#build');
    }
  });

  it('@obs/core does no file, network or compression I/O', () => {
    const core = packages.find((p) => p.manifest.name === '@obs/core')!;
    const offending = shippedSources(core.dir).flatMap((file) =>
      importsOf(file)
        .filter((spec) => CORE_FORBIDDEN.includes(spec))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('no package re-exports another package or uses `export *`', () => {
    const offending = packages.flatMap((pkg) =>
      shippedSources(pkg.dir).flatMap((file) =>
        reExportsOf(file)
          .filter((spec) => spec === '*' || !spec.startsWith('.'))
          .map((spec) => `${file} re-exports ${spec}`),
      ),
    );
    expect(offending).toEqual([]);
  });

  it('apps/admin imports no @obs package but @obs/read-store and opens no database itself', () => {
    const admin = packages.find((p) => p.manifest.name === '@obs/admin')!;
    const runtimeObs = Object.keys(admin.manifest.dependencies ?? {}).filter((d) => d.startsWith('@obs/'));
    expect(runtimeObs).toEqual(['@obs/read-store']);
    const offending = shippedSources(admin.dir).flatMap((file) =>
      importsOf(file)
        .filter(
          (spec) => (spec.startsWith('@obs/') && !spec.startsWith('@obs/read-store')) || /sqlite/.test(spec),
        )
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('the checker sees imports (it would catch a violation)', () => {
    const core = packages.find((p) => p.manifest.name === '@obs/core')!;
    const all = shippedSources(core.dir).flatMap(importsOf);
    expect(all).toContain('zod');
    expect(all).toContain('node:async_hooks');
    expect(reExportsOf('packages/core/src/index.ts')).toContain('./canonical-json.js');
  });
});
