import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readAll, tempDir, trailNames } from './test/helpers.js';

const child = fileURLToPath(new URL('../test-fixtures/partial-write-child.mjs', import.meta.url));

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** Runs the child with a file-size limit of 4 blocks (2 or 4 KiB, by shell) and returns each write's outcome. */
function runLimited(durability: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', 'ulimit -f 4 && exec "$0" "$@"', process.execPath, child, dir, durability],
      { timeout: 20_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`child failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as string[]);
      },
    );
  });
}

it.each(['batch', 'fsync'] as const)(
  'partial write then rotation-mode append leaves no NUL gap (%s)',
  { timeout: 30_000 },
  async (durability) => {
    const outcomes = await runLimited(durability);
    expect(outcomes[0]).toBe('ok');
    expect(outcomes[1]).toMatch(/EFBIG|too large/i);
    // the rolled-back write must not move the next append past the file's end
    expect(outcomes[2]).toBe('ok');
    const files = trailNames(dir);
    expect(files).toHaveLength(1);
    const bytes = readFileSync(join(dir, files[0]!));
    expect(bytes.includes(0)).toBe(false);
    const { seqs, report } = await readAll(dir);
    expect(seqs).toEqual([1, 3]);
    expect(report.corrupt).toBe(0);
  },
);
