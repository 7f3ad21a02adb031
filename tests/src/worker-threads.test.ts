import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Manifest, ROOT, workspacePackages } from './workspace.js';

/**
 * One way to start a worker thread: `new Worker(new URL('./x-worker.js', import.meta.url))`, where
 * `x-worker.ts` is a real module beside the host (typed, linted, built next to it into `dist/`, and
 * packed). No eval'd source: no `eval: true`, no function turned into text with `.toString()`.
 */

/** The first argument every `new Worker(` takes. */
const WORKER_URL = /^\s*new URL\(\s*(['"])\.\/([\w.-]+-worker)\.js\1\s*,\s*import\.meta\.url\s*\)/;
const NEW_WORKER = /\bnew\s+(?:[\w$]+\.)?Worker\s*\(/g;
/** Ways of running source text in a thread: the option, and a function's text as a script. */
const EVAL_OPTION = /\beval\s*:\s*true\b/;
const FUNCTION_TEXT = /Function\.prototype\.toString|\$\{\s*[\w$.]+\.toString\(\)\s*\}\s*\)\s*\(\s*\)/;

/** A worker module started by a host file, by name (`x-worker`), from where the host calls it. */
interface WorkerStart {
  name: string;
  line: number;
}

/** What is wrong with how `text` starts threads, and the worker modules it starts. */
function workerStarts(text: string): { problems: string[]; starts: WorkerStart[] } {
  const problems: string[] = [];
  const starts: WorkerStart[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const pattern of [EVAL_OPTION, FUNCTION_TEXT]) {
    const found = pattern.exec(text);
    if (found) problems.push(`line ${lineOf(found.index)}: runs source text (${found[0]})`);
  }
  for (const call of text.matchAll(NEW_WORKER)) {
    const at = call.index + call[0].length;
    const url = WORKER_URL.exec(text.slice(at));
    if (url) starts.push({ name: url[2]!, line: lineOf(call.index) });
    else
      problems.push(
        `line ${lineOf(call.index)}: new Worker( without new URL('./x-worker.js', import.meta.url)`,
      );
  }
  return { problems, starts };
}

const SKIP = new Set(['node_modules', 'dist', '.turbo', 'results', 'test-results']);
const THIS_FILE = 'tests/src/worker-threads.test.ts';

/** Every source file of the repository's packages, apps, bench and checks, tests and fixtures included. */
function allSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (!SKIP.has(entry)) walk(path);
      } else if (/\.(ts|tsx|js|mjs|cjs)$/.test(entry)) {
        out.push(relative(ROOT, path));
      }
    }
  };
  for (const pkg of workspacePackages()) walk(pkg.dir);
  walk(join(ROOT, 'bench'));
  walk(join(ROOT, 'tests'));
  return out.filter((file) => file !== THIS_FILE);
}

/** npm-style glob (`*`, `**`) as a regular expression over whole paths. */
function globRegExp(glob: string): RegExp {
  const source = glob
    .replace(/\/$/, '')
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) =>
      part === '**/'
        ? '(?:.*/)?'
        : part === '**'
          ? '.*'
          : part === '*'
            ? '[^/]*'
            : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** Whether `glob` names `path` or a directory holding it. */
function globCovers(glob: string, path: string): boolean {
  const re = globRegExp(glob);
  const parts = path.split('/');
  return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
}

/** Whether npm packs `path` (relative to the package) by the manifest's `files`, last match winning. */
function packs(files: string[] | undefined, path: string): boolean {
  if (files === undefined) return true;
  let packed = false;
  for (const pattern of files) {
    const negated = pattern.startsWith('!');
    if (globCovers(negated ? pattern.slice(1) : pattern, path)) packed = !negated;
  }
  return packed;
}

/** Every `new Worker(` in the repository's sources, with the host file and the worker module it names. */
function workerReferences(): { host: string; worker: string; line: number }[] {
  return allSources().flatMap((host) =>
    workerStarts(readFileSync(join(ROOT, host), 'utf8')).starts.map(({ name, line }) => ({
      host,
      worker: join(dirname(host), `${name}.ts`),
      line,
    })),
  );
}

describe('worker threads', () => {
  it('no source runs text as a thread (eval: true, a function .toString()), and every Worker takes a module URL', () => {
    const problems = allSources().flatMap((file) =>
      workerStarts(readFileSync(join(ROOT, file), 'utf8')).problems.map((p) => `${file} ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('every worker body is a module beside its host, built into dist/ and packed', () => {
    const references = workerReferences();
    const owners = [...workspacePackages(), { dir: join(ROOT, 'bench') }].map(({ dir }) => ({
      dir,
      rel: relative(ROOT, dir),
      manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest & {
        files?: string[];
      },
    }));
    const problems = references.flatMap(({ host, worker, line }) => {
      const where = `${host}:${line} starts ${basename(worker, '.ts')}`;
      if (!existsSync(join(ROOT, worker))) return [`${where}, but ${worker} does not exist`];
      const owner = owners.find((p) => worker.startsWith(`${p.rel}/src/`));
      if (owner === undefined) return [`${where}, outside any package's src/`];
      const errors: string[] = [];
      const build = JSON.parse(readFileSync(join(owner.dir, 'tsconfig.build.json'), 'utf8')) as {
        exclude?: string[];
      };
      const inPackage = relative(owner.dir, join(ROOT, worker));
      const excludedBy = (build.exclude ?? []).find((glob) => globCovers(glob, inPackage));
      if (excludedBy) errors.push(`${where}, but tsconfig.build.json excludes it (${excludedBy})`);
      const built = inPackage.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');
      if (!owner.manifest.private && !packs(owner.manifest.files, built)) {
        errors.push(`${where}, but package.json "files" leaves ${built} out of the package`);
      }
      return errors;
    });
    expect(problems).toEqual([]);
  });

  it('the checks find the worker modules and would catch the old eval approach', () => {
    const workers = workerReferences().map((r) => r.worker);
    expect(workers).toEqual(
      expect.arrayContaining([
        'packages/sink-sqlite/src/internal/writer-worker.ts',
        'packages/sink-sqlite/src/internal/checkpoint-worker.ts',
        'packages/backup-s3/src/internal/sqlite-task-worker.ts',
      ]),
    );
    const old = [
      'function body() {}',
      `const SOURCE = \`(\${body.toString()})()\`;`,
      'new Worker(SOURCE, { eval: true, workerData: { driver } });',
    ].join('\n');
    expect(workerStarts(old).problems).toEqual([
      'line 3: runs source text (eval: true)',
      `line 2: runs source text (\${body.toString()})())`,
      "line 3: new Worker( without new URL('./x-worker.js', import.meta.url)",
    ]);
    expect(workerStarts("new Worker(new URL('../elsewhere.js', import.meta.url))").problems).toHaveLength(1);
    expect(workerStarts("new Worker(new URL('./x-worker.js', import.meta.url), {})")).toEqual({
      problems: [],
      starts: [{ name: 'x-worker', line: 1 }],
    });
    expect(packs(['dist', '!dist/**/*.test.*'], 'dist/internal/x-worker.js')).toBe(true);
    expect(packs(['dist', '!dist/internal/*-worker.js'], 'dist/internal/x-worker.js')).toBe(false);
    expect(packs(['dist/index.js'], 'dist/internal/x-worker.js')).toBe(false);
    expect(globCovers('src/test', 'src/test/x-worker.ts')).toBe(true);
    expect(globCovers('src/**/*.test.ts', 'src/internal/x-worker.ts')).toBe(false);
  });
});
