import { describe, expect, it } from 'vitest';
import { importsOf, shippedSources, workspacePackages } from './workspace.js';

/** SPEC §1: what each package may depend on at runtime. */
const ALLOWED: Record<string, string[]> = {
  '@obs/core': ['zod'],
  '@obs/sink-jsonl': ['@obs/core', 'zod'],
  '@obs/sink-sqlite': ['@obs/core', 'better-sqlite3', 'zod'],
  '@obs/sink-stream': ['@obs/core', 'ws', 'zod'],
  '@obs/backup-s3': [
    '@obs/core',
    '@aws-sdk/client-s3',
    '@aws-sdk/lib-storage',
    'archiver',
    'better-sqlite3',
    'tar-stream',
    'zod',
  ],
  '@obs/read-store': ['@obs/core', 'better-sqlite3', 'zod'],
};

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
  });
});
