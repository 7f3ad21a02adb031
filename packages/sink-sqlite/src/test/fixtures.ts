import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'obs-sink-sqlite-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Absolute path of a child script in `test-fixtures/`. */
export function fixture(name: string): string {
  return new URL(`../../test-fixtures/${name}`, import.meta.url).pathname;
}
