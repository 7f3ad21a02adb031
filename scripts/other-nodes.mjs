#!/usr/bin/env node
// Runs the package tests, the pack-and-install tests of tests/ and tests-newest/ (client majors that
// need Node 22) on the other Node versions users run. Each version gets the official build from the
// npm registry (node-<platform>-<arch>@<major>, cached in .cache/node), a copy of this checkout
// (tracked and untracked files, ignored ones left out), its own pnpm install (native modules
// compiled against that Node's headers) and build; those are prepared for all versions at once,
// then the tests run one version after the other.
//
//   node scripts/other-nodes.mjs [major...]      default: 22 24, or OBS_OTHER_NODES ("none" skips)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, '.cache/node');
const DEFAULT_MAJORS = ['22', '24'];
/** Tests of client majors that need Node 22+ (never run on Node 20): see tests-newest/README.md. */
const NEWEST = '@obs/tests-newest';
const { OBS_PNPM, OBS_OTHER_NODES } = process.env;
const [PNPM, ...PNPM_ARGS] = (OBS_PNPM ?? 'pnpm').split(' ').filter(Boolean);
/** Variables of an npm or pnpm run around this script, which describe this checkout and its Node. */
const RUN_VARIABLES =
  /^(npm_(package|lifecycle)_|npm_config_(user_agent|node_gyp|local_prefix|nodedir)$|npm_(execpath|node_execpath|command)$|pnpm_|PNPM_|INIT_CWD$)/i;

const args = process.argv.slice(2);
const requested = args.length ? args : (OBS_OTHER_NODES?.split(/[\s,]+/).filter(Boolean) ?? DEFAULT_MAJORS);
const majors = requested.filter((m) => m !== 'none');

function sh(command, argv, { capture = false, ...options } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
      ...options,
    });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${[command, ...argv].join(' ')} exited with ${code}`)),
    );
  });
}

const pnpm = (argv, options) => sh(PNPM, [...PNPM_ARGS, ...argv], options);
const seconds = (since) => `${Math.round((performance.now() - since) / 1000)} s`;

/** The cached tarball of the official Node build for `major`, fetched with `npm pack` when missing. */
async function nodeTarball(major) {
  const name = `node-${process.platform}-${process.arch}`;
  const cached = () =>
    readdirSync(CACHE).find((f) => f.startsWith(`${name}-${major}.`) && f.endsWith('.tgz'));
  mkdirSync(CACHE, { recursive: true });
  if (!cached())
    await sh('npm', ['pack', `${name}@${major}`, '--pack-destination', CACHE, '--silent'], { capture: true });
  const found = cached();
  if (!found) throw new Error(`npm pack ${name}@${major} left no tarball in ${CACHE}`);
  return join(CACHE, found);
}

/** Copies the files git tracks or would track (ignored files left out) into `to`. */
async function copyCheckout(to) {
  const listed = await sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    capture: true,
  });
  for (const file of new Set(listed.split('\0').filter(Boolean))) {
    const from = join(ROOT, file);
    if (!existsSync(from) || statSync(from).isDirectory()) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(from, join(to, file));
  }
}

/** A copy of the checkout on Node `major`, installed and built: where its tests run. */
async function prepare(major, work) {
  const started = performance.now();
  const nodeDir = join(work, 'node');
  const repo = join(work, 'repo');
  mkdirSync(nodeDir);
  await sh('tar', ['-xzf', await nodeTarball(major), '-C', nodeDir, '--strip-components=1']);
  await copyCheckout(repo);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !RUN_VARIABLES.test(key)));
  Object.assign(env, {
    PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: nodeDir,
    OBS_EXPECT_NODE_MAJOR: major,
  });
  const at = { cwd: repo, env };
  const version = (await sh('node', ['-p', 'process.version'], { ...at, capture: true })).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`node on PATH is ${version}, not ${major}`);
  await pnpm(['install', '--frozen-lockfile', '--reporter=silent'], at);
  await pnpm(
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=./packages/*',
      `--filter=${NEWEST}^...`,
      '--output-logs=errors-only',
    ],
    at,
  );
  console.log(`Node ${version}: copy installed and built in ${seconds(started)} (${repo})`);
  return { version, at };
}

async function test({ version, at }) {
  const started = performance.now();
  console.log(`\n== Node ${version}: package tests`);
  await pnpm(
    ['exec', 'turbo', 'run', 'test', '--filter=./packages/*', '--concurrency=1', '--output-logs=errors-only'],
    at,
  );
  console.log(`== Node ${version}: every published package packed, installed alone, its README example run`);
  await pnpm(
    ['--filter', '@obs/repo-tests', 'exec', 'vitest', 'run', 'src/pack.test.ts', 'src/node-version.test.ts'],
    at,
  );
  console.log(
    `== Node ${version}: the newest majors (OpenTelemetry JS sdk-trace 3, ai 7) → a real collector`,
  );
  await pnpm(['--filter', NEWEST, 'exec', 'vitest', 'run'], at);
  console.log(`== Node ${version}: passed in ${seconds(started)}`);
}

if (majors.length > 0) {
  const started = performance.now();
  const works = majors.map((major) => mkdtempSync(join(tmpdir(), `obs-node${major}-`)));
  try {
    console.log(
      `Preparing Node ${majors.join(', ')}: official builds, copies of this checkout, pnpm install, build`,
    );
    const settled = await Promise.allSettled(majors.map((major, i) => prepare(major, works[i])));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const prepared = settled.map((s) => s.value);
    for (const copy of prepared) await test(copy);
    console.log(`\nNode ${majors.join(', ')}: all passed in ${seconds(started)}`);
  } finally {
    for (const work of works) rmSync(work, { recursive: true, force: true });
  }
}
