import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_FIXTURES } from './published/example-fixtures.js';
import { installAlone, localPrebuilds, npmEnvironment } from './published/npm-project.js';
import type { PackedPackage } from './published/packed.js';
import { readmeExample } from './published/readme-example.js';
import { run } from './published/run.js';
import { publishedPackages, ROOT, workspaceRuntimeClosure } from './workspace.js';

const packed = inject('packed');
const work = mkdtempSync(join(tmpdir(), 'obs-alone-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const installing = limiter(3);
const typechecking = limiter(2);
const projectOf = (name: string) => join(work, name.replace(/^@/, '').replace(/\//g, '-'));
const exampleOf = (pkg: PackedPackage) => readmeExample(readFileSync(join(pkg.dir, 'README.md'), 'utf8'));

/** Per package, started together in `beforeAll`: the npm install, then the type check of the example. */
const pipelines = new Map<string, { installed: Promise<void>; typeErrors: Promise<string> }>();
let npmEnv: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  const prebuilds = await localPrebuilds(publishedPackages(), join(work, 'prebuilds'));
  npmEnv = npmEnvironment(prebuilds.env);
  for (const pkg of packed) {
    const app = projectOf(pkg.name);
    const needs = workspaceRuntimeClosure(pkg.name).map((name) => {
      const found = packed.find((p) => p.name === name);
      if (!found) throw new Error(`${pkg.name} needs ${name}, which is not published`);
      return found;
    });
    const installed = installing(() =>
      installAlone(app, pkg, needs, { env: npmEnv, overrides: prebuilds.overrides }),
    );
    const typeErrors = installed.then(() => typechecking(() => typeErrorsOf(app, exampleOf(pkg) ?? '')));
    installed.catch(() => {});
    typeErrors.catch(() => {});
    pipelines.set(pkg.name, { installed, typeErrors });
  }
});

describe.each(packed)('$name installed alone with npm in an empty project', (pkg) => {
  const app = projectOf(pkg.name);
  const example = exampleOf(pkg);

  it('has a README example (the ```ts block after <!-- example -->, else the first one)', () => {
    expect(example).toBeDefined();
  });

  it('installs from its tarball, its workspace dependencies from theirs', async () => {
    await pipelines.get(pkg.name)!.installed;
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8'));
    expect(installed.version).toBe(pkg.version);
  });

  it('its README example type-checks against the packed types (strict, nodenext)', async () => {
    expect(await pipelines.get(pkg.name)!.typeErrors).toBe('');
  });

  it('its README example runs there', async () => {
    const { outputText, diagnostics } = ts.transpileModule(example!, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      reportDiagnostics: true,
    });
    expect(diagnostics ?? []).toEqual([]);
    writeFileSync(join(app, 'example.mjs'), outputText);
    const fixture = EXAMPLE_FIXTURES[pkg.name] ?? {};
    const prepared = (await fixture.setup?.(app)) ?? {};
    try {
      const env = Object.fromEntries(Object.entries(npmEnv).filter(([key]) => !key.startsWith('AWS_')));
      const ran = run(process.execPath, ['example.mjs'], {
        cwd: app,
        env: { ...env, ...prepared.env },
        timeoutMs: 120_000,
      });
      const [output] = await Promise.all([ran, prepared.whileRunning?.(ran.catch(() => {}))]);
      await fixture.verify?.(app, output);
    } finally {
      await prepared.dispose?.();
    }
  });

  it.each(Object.keys(binsOf(pkg.dir)))('its `%s` command runs (--help)', async (bin) => {
    const { stdout, stderr } = await run(join(app, 'node_modules/.bin', bin), ['--help'], {
      cwd: app,
      env: npmEnv,
    });
    expect(`${stdout}${stderr}`).toMatch(/usage/i);
  });
});

/** Type-checks `example` as `example.ts` of the project at `app`, as a user's strict TypeScript would. */
async function typeErrorsOf(app: string, example: string): Promise<string> {
  writeFileSync(join(app, 'example.ts'), example);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      files: ['example.ts'],
    }),
  );
  return run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app }).then(
    () => '',
    (error: Error) => error.message,
  );
}

function binsOf(dir: string): Record<string, string> {
  const { name, bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    bin?: string | Record<string, string>;
  };
  if (typeof bin === 'string') return { [name.replace(/^@[^/]+\//, '')]: bin };
  return bin ?? {};
}

/** Runs at most `n` of the tasks handed to it at once, the others in order as those finish. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            waiting.shift()?.();
          });
      };
      if (active < n) start();
      else waiting.push(start);
    });
}
