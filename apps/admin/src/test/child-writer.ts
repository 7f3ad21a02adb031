import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../test-fixtures/write-events.mjs', import.meta.url));

/**
 * Writes `count` log events from another node process through the real sink; resolves with the
 * epoch ms at which the child had flushed them.
 */
export function writeFromChild(
  kind: 'sqlite' | 'jsonl',
  target: string,
  runId: string,
  message: string,
  count = 1,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, kind, target, runId, message, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /flushed (\d+)/.exec(out);
      if (code === 0 && m) resolve(Number(m[1]));
      else reject(new Error(`writer exited with ${code}: ${err || out}`));
    });
  });
}
