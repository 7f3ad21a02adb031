import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { publishedPackages } from '../workspace.js';
import { run } from './run.js';

/** One published package packed with `pnpm pack`. */
export interface PackedPackage {
  name: string;
  version: string;
  dir: string;
  tarball: string;
  files: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    packed: PackedPackage[];
  }
}

/** Global setup: packs every published package once for all test files; removes the tarballs after. */
export default async function packAll(project: TestProject): Promise<() => void> {
  const out = mkdtempSync(join(tmpdir(), 'obs-packed-'));
  const packed = await Promise.all(
    publishedPackages().map(async ({ dir, manifest }): Promise<PackedPackage> => {
      const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', out], { cwd: dir });
      const info = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
      return {
        name: manifest.name,
        version: manifest.version ?? '0.0.0',
        dir,
        tarball: info.filename,
        files: info.files.map((f) => f.path),
      };
    }),
  );
  project.provide('packed', packed);
  return () => rmSync(out, { recursive: true, force: true });
}
