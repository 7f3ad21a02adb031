import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A workspace package's manifest fields these checks read. */
export interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Every package under packages/ and apps/, by directory. */
export function workspacePackages(): { dir: string; manifest: Manifest }[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => {
      const dir = join(ROOT, group, name);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest };
    }),
  );
}

/** Source files of a package that ship (tests and fixtures excluded). */
export function shippedSources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'test' && entry !== 'node_modules') walk(path);
      } else if (/\.(ts|tsx|js|mjs)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) {
        out.push(path);
      }
    }
  };
  walk(join(dir, 'src'));
  return out.map((p) => relative(ROOT, p));
}

/** Module specifiers imported (statically or dynamically) by a source file. */
export function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)['"]([^'"]+)['"]/g))
    found.add(m[1]!);
  return [...found];
}

/** What a source file re-exports: the specifier of each `export … from`, and `*` for `export *`. */
export function reExportsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [
    ...text.matchAll(/^export\s+(\*|type\s+\*|[^;]*?\})\s*(?:as\s+\w+\s+)?from\s+['"]([^'"]+)['"]/gms),
  ].flatMap((m) => (m[1]!.includes('*') ? ['*', m[2]!] : [m[2]!]));
}
