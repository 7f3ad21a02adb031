import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WorkspacePackage } from '../workspace.js';
import type { PackedPackage } from './packed.js';
import { run } from './run.js';

/** Environment variables pnpm sets for the script running these tests; npm must not inherit them. */
const PNPM_RUN_VARIABLES =
  /^(npm_(package|lifecycle)_|npm_config_(user_agent|node_gyp|verify_deps_before_run)$|npm_(execpath|node_execpath|command)$|pnpm_|PNPM_|INIT_CWD$)/i;

/**
 * The environment npm runs in for an empty project, as on a user's machine running this Node: no
 * variables of the pnpm run around the tests, and `nodedir` at this Node's own headers when it has
 * them, so a native dependency that has to compile compiles against the Node that will load it.
 */
export function npmEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !PNPM_RUN_VARIABLES.test(key)),
  );
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include/node/node.h'))) env['npm_config_nodedir'] = prefix;
  return {
    ...env,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

/** What `localPrebuilds` sets up for npm. */
export interface Prebuilds {
  /** `npm_config_<name>_local_prebuilds` variables for prebuild-install. */
  env: NodeJS.ProcessEnv;
  /** The version of each such dependency the workspace built and tested. */
  overrides: Record<string, string>;
}

/**
 * Native dependencies of the published packages that install through prebuild-install get the binary
 * pnpm already built for this Node (`build/Release/<name>.node`) as a local prebuild, the way a user
 * gets a downloaded prebuilt binary, and are held at the version the workspace tests, so that every
 * empty project does not compile its own. A binary that does not load is compiled as usual.
 */
export async function localPrebuilds(packages: WorkspacePackage[], into: string): Promise<Prebuilds> {
  const env: NodeJS.ProcessEnv = {};
  const overrides: Record<string, string> = {};
  const seen = new Set<string>();
  for (const { dir, manifest } of packages) {
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const installed = join(dir, 'node_modules', dep);
      if (seen.has(dep) || !existsSync(join(installed, 'package.json'))) continue;
      seen.add(dep);
      const root = realpathSync(installed);
      const depManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        version: string;
        scripts?: Record<string, string>;
      };
      const base = dep.replace(/^@[^/]+\//, '');
      const binary = `build/Release/${base.replace(/\W/g, '_')}.node`;
      if (!depManifest.scripts?.['install']?.includes('prebuild-install') || !existsSync(join(root, binary)))
        continue;
      const target = join(into, base);
      mkdirSync(target, { recursive: true });
      const file = `${base}-v${depManifest.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
      await run('tar', ['-czf', join(target, file), binary], { cwd: root });
      env[`npm_config_${dep.replace(/[^a-zA-Z0-9]/g, '_').replace(/^_/, '')}_local_prebuilds`] = target;
      overrides[dep] = depManifest.version;
    }
  }
  return { env, overrides };
}

/**
 * An empty npm project at `dir` that depends on `pkg` alone; the workspace packages it needs come
 * from their tarballs (they are not on the registry) through `overrides`, everything else from the
 * registry, as `npm install <pkg>` would get it.
 */
export async function installAlone(
  dir: string,
  pkg: PackedPackage,
  needs: PackedPackage[],
  { env, overrides }: { env: NodeJS.ProcessEnv; overrides: Record<string, string> },
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'empty-project',
    private: true,
    type: 'module',
    dependencies: { [pkg.name]: `file:${pkg.tarball}` },
    overrides: { ...overrides, ...Object.fromEntries(needs.map((n) => [n.name, `file:${n.tarball}`])) },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env,
    timeoutMs: 600_000,
  });
}
