import { describe, expect, it } from 'vitest';
import { importsOf, reExportsOf, shippedSources, workspacePackages } from './workspace.js';

/** SPEC §1: what each package may depend on at runtime. */
const ALLOWED: Record<string, string[]> = {
  '@obs/core': ['zod'],
  '@obs/store-format': ['@obs/core', 'zod'],
  '@obs/http-access': ['@obs/core'],
  '@obs/sink-jsonl': ['@obs/core', '@obs/store-format', 'zod'],
  '@obs/sink-sqlite': ['@obs/core', '@obs/store-format', 'better-sqlite3', 'zod'],
  '@obs/sink-stream': ['@obs/core', '@obs/http-access', 'ws', 'zod'],
  '@obs/sink-console': ['@obs/core', 'picocolors', 'zod'],
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
  '@obs/read-store': ['@obs/core', '@obs/store-format', 'better-sqlite3', 'zod'],
};

/** Node modules that would mean file, network or compression I/O, which core leaves to the packages. */
const CORE_FORBIDDEN = ['node:fs', 'node:fs/promises', 'node:zlib', 'node:net', 'node:http', 'node:https'];

const packages = workspacePackages();

describe('dependency rule (SPEC §1)', () => {
  it.each(Object.entries(ALLOWED))('%s depends only on what it is allowed to', (name, allowed) => {
    const pkg = packages.find((p) => p.manifest.name === name);
    expect(pkg, `${name} exists`).toBeDefined();
    const deps = Object.keys({ ...pkg!.manifest.dependencies, ...pkg!.manifest.peerDependencies });
    expect(deps.filter((d) => !allowed.includes(d))).toEqual([]);
  });

  it.each(Object.keys(ALLOWED))('%s imports no package it does not declare', (name) => {
    const pkg = packages.find((p) => p.manifest.name === name)!;
    const declared = new Set([name, ...Object.keys(pkg.manifest.dependencies ?? {})]);
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
