import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, workspacePackages } from './workspace.js';

const DIR = join(ROOT, '.changeset');
const config = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as { ignore: string[] };

/** The packages a changeset file bumps: the keys of its front matter. */
function bumped(file: string): string[] {
  const text = readFileSync(join(DIR, file), 'utf8');
  const front = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (front === null) throw new Error(`${file}: no front matter between --- lines`);
  return front[1]!
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^"([^"]+)":\s*(major|minor|patch)$/.exec(line.trim());
      if (match === null) throw new Error(`${file}: expected "<package>": major|minor|patch, got ${line}`);
      return match[1]!;
    });
}

describe('changesets', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.md') && f !== 'README.md');
  const names = new Set(workspacePackages().map((p) => p.manifest.name));

  it.each(files)(
    '%s names workspace packages, ignored ones apart (changeset version refuses a mix)',
    (file) => {
      const packages = bumped(file);
      expect(packages.length).toBeGreaterThan(0);
      for (const name of packages) expect(names, `${file}: ${name}`).toContain(name);
      const ignored = packages.filter((p) => config.ignore.includes(p));
      expect(
        ignored.length === 0 || ignored.length === packages.length,
        `${file} mixes ${ignored.join(', ')} with published packages`,
      ).toBe(true);
    },
  );
});
