import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFixture, type Fixture } from './test/fixture.js';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

let fx: Fixture;
let dir: string;
beforeAll(async () => {
  fx = await buildFixture({ bulk: 5 });
  dir = mkdtempSync(join(tmpdir(), 'obs-cli-skipped-'));
}, 60_000);
afterAll(() => {
  fx.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const obs = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OBS_STORE: '' },
    timeout: 20_000,
  });

/** A copy of the fixture's trail with a corrupt line after line 3 and a torn last line. */
function damagedTrail(name: string): { trail: string; file: string } {
  const trail = join(dir, name);
  mkdirSync(trail);
  const source = readdirSync(fx.jsonlDir).find((f) => f.endsWith('.jsonl'))!;
  const lines = readFileSync(join(fx.jsonlDir, source), 'utf8').split('\n');
  const file = join(trail, source);
  writeFileSync(file, `${[...lines.slice(0, 3), '{"not": an envelope', ...lines.slice(3)].join('\n')}`);
  appendFileSync(file, '{"schema_version":1,"event_id":"torn');
  return { trail, file };
}

it('says on stderr how many lines it skipped and where the first one is', () => {
  const { trail, file } = damagedTrail('lenient');
  const r = obs(['last', '5', '--store', trail]);
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(5);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(`^obs: skipped 2 unreadable lines \\(1 json, 1 torn\\); first at ${file}:4 \\(json: `),
  );
});

it('exits 3 with --strict on a trail with skipped lines, 0 on a clean one', () => {
  const { trail } = damagedTrail('strict');
  const damaged = obs(['runs', '--strict', '--store', trail]);
  expect(damaged.status).toBe(3);
  expect(damaged.stdout).toContain('run-');
  expect(damaged.stderr).toMatch(/^obs: skipped 2 unreadable lines/);
  const clean = obs(['runs', '--strict', '--store', fx.jsonlDir]);
  expect(clean.status).toBe(0);
  expect(clean.stderr).toBe('');
});
