import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A module of this package as built in `dist/` (`path` from `src/`, ending in `.js`).
 *
 * Worker threads run module files of their own, resolved with `new URL('./x-worker.js', import.meta.url)`:
 * next to a built module in `dist/` that file exists, next to a `.ts` source under vitest it does not.
 * So a test that starts a thread loads the code that starts it from the build (turbo's `test` task
 * builds first; after editing `src/`, build again before `vitest run`).
 */
export async function built<T>(path: string): Promise<T> {
  const url = new URL(`../../dist/${path}`, import.meta.url);
  if (!existsSync(url)) {
    throw new Error(`${fileURLToPath(url)} is missing: build the package (pnpm build) before its tests`);
  }
  return (await import(url.href)) as T;
}
