import { spawn } from 'node:child_process';
import type { BareProcessFixture } from './sink-contract-types.js';

/** What the bare-process script prints once `close()` settled twice. */
export const SINK_CONTRACT_CLOSED_MARKER = 'obs-sink-contract: closed';

/**
 * Run by `node --eval` (CommonJS: `--input-type=module` would be inherited by the sink's worker
 * threads, which then cannot load their files) with the fixture's path and its JSON argument. The
 * testing entry point is resolved from the fixture's package, so both use the same built core. If
 * the loop empties while `close()` is pending, Node would end with code 0 and no marker; the exit
 * hook turns that into code 13, as an unsettled top-level await does.
 */
const BARE_PROCESS_SCRIPT = `
let settled = false;
process.on('exit', (code) => {
  if (settled || code !== 0) return;
  process.stderr.write('the event loop emptied before the script ended: close() (or an earlier step) never settled\\n');
  process.exitCode = 13;
});
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');
const [fixture, arg] = process.argv.slice(1);
const load = (path) => import(pathToFileURL(path).href);
(async () => {
  const testing = await load(createRequire(fixture).resolve('@obs/core/testing'));
  const { sink, cleanup } = await (await load(fixture)).default(JSON.parse(arg));
  await sink.write(Array.from({ length: 8 }, (_, i) => testing.makeRecord(i + 1)));
  await sink.flush();
  await sink.close();
  await sink.close();
  settled = true;
  process.stdout.write(${JSON.stringify(`${SINK_CONTRACT_CLOSED_MARKER}\n`)});
  await cleanup?.();
})().catch((error) => {
  settled = true;
  process.stderr.write(String(error?.stack ?? error));
  process.exitCode = 1;
});
`;

/** Runs the fixture in a bare `node` (no vitest, no NODE_OPTIONS) and reports how it ended. */
export function runBareProcess(
  fixture: BareProcessFixture,
  killAfterMs: number,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--eval', BARE_PROCESS_SCRIPT, fixture.module, JSON.stringify(fixture.arg ?? null)],
      { stdio: ['ignore', 'pipe', 'pipe'], env, timeout: killAfterMs, killSignal: 'SIGKILL' },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
