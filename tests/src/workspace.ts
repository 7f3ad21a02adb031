import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A workspace package's manifest fields these checks read. */
export interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
}

/** A workspace package: its directory and manifest. */
export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

/** Package directories named by `pnpm-workspace.yaml` (entries `dir` or `dir/*`). */
export function workspaceDirs(): string[] {
  const yaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(yaml);
  if (!block) throw new Error('pnpm-workspace.yaml has no packages list');
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*-\s*/, '').replace(/^['"]|['"]$/g, ''))
    .filter(Boolean)
    .flatMap((entry) => {
      if (!/^[\w.-]+(\/[\w.-]+)*(\/\*)?$/.test(entry))
        throw new Error(`pnpm-workspace.yaml entry ${entry}: only "dir" and "dir/*" are understood here`);
      if (!entry.endsWith('/*')) return [join(ROOT, entry)];
      const parent = join(ROOT, entry.slice(0, -2));
      return readdirSync(parent)
        .map((name) => join(parent, name))
        .filter((dir) => existsSync(join(dir, 'package.json')));
    });
}

/** Every package of the workspace, by directory. */
export function workspacePackages(): WorkspacePackage[] {
  return workspaceDirs().map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
  }));
}

/** The packages that are published: every workspace package not marked `"private": true`. */
export function publishedPackages(): WorkspacePackage[] {
  return workspacePackages().filter((p) => p.manifest.private !== true);
}

/** Names of the workspace packages `name` needs at run time, transitively (not itself). */
export function workspaceRuntimeClosure(name: string, packages = workspacePackages()): string[] {
  const byName = new Map(packages.map((p) => [p.manifest.name, p.manifest]));
  const seen = new Set<string>();
  const visit = (manifest: Manifest) => {
    const { dependencies, peerDependencies, optionalDependencies, peerDependenciesMeta } = manifest;
    const requiredPeers = Object.keys(peerDependencies ?? {}).filter(
      (d) => !peerDependenciesMeta?.[d]?.optional,
    );
    for (const dep of [...Object.keys({ ...dependencies, ...optionalDependencies }), ...requiredPeers]) {
      const next = byName.get(dep);
      if (next && !seen.has(dep)) {
        seen.add(dep);
        visit(next);
      }
    }
  };
  const root = byName.get(name);
  if (!root) throw new Error(`no workspace package ${name}`);
  visit(root);
  seen.delete(name);
  return [...seen].sort();
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
  if (existsSync(join(dir, 'src'))) walk(join(dir, 'src'));
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
