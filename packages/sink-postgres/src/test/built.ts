import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A module of this package as built in `dist/`. The caller-runs thread runs a file of its own
 * (`sync-writer-worker.js`), which exists next to the built module, not next to the `.ts` source
 * under vitest; so tests load the sink from the build (turbo's `test` task builds first).
 */
export async function built<T>(path: string): Promise<T> {
  const url = new URL(`../../dist/${path}`, import.meta.url);
  if (!existsSync(url)) {
    throw new Error(`${fileURLToPath(url)} is missing: build the package (pnpm build) before its tests`);
  }
  return (await import(url.href)) as T;
}

/** Absolute path of a file in `test-fixtures/`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test-fixtures/${name}`, import.meta.url));
}
