import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, inject, it } from 'vitest';
import { run } from './published/run.js';
import { publishedPackages, ROOT, workspacePackages, workspaceRuntimeClosure } from './workspace.js';

const packed = inject('packed');
const ATTW = join(ROOT, 'tests/node_modules/.bin/attw');

describe('published packages as registries and type checkers see them', () => {
  it('every published package was packed', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(
      publishedPackages()
        .map((p) => p.manifest.name)
        .sort(),
    );
  });

  it('the repository tests build every published package first (turbo runs ^build of their dependencies)', () => {
    const asTurboSeesThem = workspacePackages().map(({ dir, manifest }) => ({
      dir,
      manifest: { ...manifest, dependencies: { ...manifest.dependencies, ...manifest.devDependencies } },
    }));
    const closure = new Set(workspaceRuntimeClosure('@obs/repo-tests', asTurboSeesThem));
    const missing = packed.map((p) => p.name).filter((name) => !closure.has(name));
    expect(missing, 'add them to devDependencies of tests/package.json').toEqual([]);
  });

  describe.each(packed)('$name', (pkg) => {
    it('ships its build, README and manifest, and no sources or tests', () => {
      expect(pkg.files).toContain('package.json');
      expect(pkg.files).toContain('README.md');
      expect(pkg.files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))).toBe(true);
      expect(pkg.files.filter((f) => f.startsWith('src/') || /\.test\.[cm]?[jt]sx?$/.test(f))).toEqual([]);
    });

    it('passes publint, suggestions included', async () => {
      const tarball = readFileSync(pkg.tarball);
      const result = await publint({
        pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
        strict: true,
      });
      expect(result.messages.map((m) => `${m.type}: ${formatMessage(m, result.pkg) ?? m.code}`)).toEqual([]);
    });

    it('passes arethetypeswrong for an ESM-only package (profile esm-only)', async () => {
      const args = [pkg.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'];
      const outcome = await run(ATTW, args, { cwd: ROOT }).then(
        () => 'no problems',
        (error: Error) => error.message,
      );
      expect(outcome).toBe('no problems');
    });
  });
});
