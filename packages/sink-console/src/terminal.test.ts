import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WIDTH } from './console-sink.js';
import { textWidth } from './internal/text.js';

// The traced program runs for real in a child process: on a pseudo-terminal made by util-linux
// `script` (or python3's `pty` module where `script` is missing), and on a plain pipe.
const APP = fileURLToPath(new URL('../test-fixtures/trace-app.mjs', import.meta.url));
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const TIMEOUT_MS = 30_000;
const PTY_COLUMNS = 80;

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;

/** The environment of a child: ours without the colour switches, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'NODE_DISABLE_COLORS', 'CI']) delete env[name];
  return { ...env, ...extra };
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs `command` to completion and returns what it wrote to `from`, with `\r\n` as `\n`. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  from: 'stdout' | 'stderr',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0)
        reject(new Error(`${command} exited with ${code ?? signal}:\n${out.stdout}${out.stderr}`));
      else resolve(out[from].replaceAll('\r\n', '\n'));
    });
  });
}

/** The program on a pseudo-terminal of {@link PTY_COLUMNS} columns; stdout and stderr both land on it. */
function onPty(extraEnv: Record<string, string> = {}): Promise<string> {
  const node = `stty cols ${PTY_COLUMNS} rows 24; exec ${quote(process.execPath)} ${quote(APP)}`;
  if (hasScript) return run('script', ['-qfec', node, '/dev/null'], childEnv(extraEnv), 'stdout');
  const python = `import pty, sys; pty.spawn(['sh', '-c', sys.argv[1]])`;
  return run('python3', ['-c', python, node], childEnv(extraEnv), 'stdout');
}

/** The program with stderr on a pipe. */
function onPipe(extraEnv: Record<string, string> = {}): Promise<string> {
  return run(process.execPath, [APP], childEnv(extraEnv), 'stderr');
}

const lines = (text: string) => text.replace(ANSI, '').split('\n').filter(Boolean);
const DURATION = String.raw`\(\d+(\.\d+)?(ms|s)\)`;

/** The nested structure every run must show, whatever the durations. */
function expectTree(text: string): void {
  const shown = lines(text);
  const patterns = [
    String.raw`^\[alt\] transition: L3→L2 → success ${DURATION}$`,
    String.raw`^  └─\[foc\] gate_check: WriteApprovalGate → allowed ${DURATION}$`,
    String.raw`^      └─\[mem\] write: altitude\.session → written ${DURATION}$`,
    String.raw`^          └─\[log\] info: saved 45 tokens$`,
    String.raw`^  └─\[tool\] web\.search: \{"q":"flights","n":3\}$`,
    String.raw`^      └─\[tool\] web\.search → \{"hits":3\} \(12ms\)$`,
    String.raw`^  └─\[llm\] gpt-4o: 812 tok → 96 tok \(420ms\) \[\$0\.0030\]$`,
    String.raw`^\[thought\] reasoning: long 步骤😀 .*…$`,
  ];
  expect(shown).toHaveLength(patterns.length);
  for (const [i, pattern] of patterns.entries()) expect(shown[i]).toMatch(new RegExp(pattern));
}

const ptyAvailable = hasScript || hasPython;

describe.skipIf(!ptyAvailable)('on a pseudo-terminal', () => {
  it('colours the trace, nests it under its parents and fits the terminal width', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const out = await onPty();
    expect(out).toContain('\x1b[36m[alt]\x1b[39m'); // the layer tag in cyan
    expect(out).toContain('\x1b[32msuccess\x1b[39m'); // an ok outcome in green
    expect(out).toContain('\x1b[2m  └─\x1b[22m'); // the tree drawing dimmed
    expectTree(out);
    const widths = lines(out).map(textWidth);
    expect(Math.max(...widths)).toBeLessThanOrEqual(PTY_COLUMNS);
    expect(widths.at(-1)).toBeGreaterThan(PTY_COLUMNS - 3); // the long line was cut, not dropped
  });

  it('has no colour with NO_COLOR set, same structure', { timeout: TIMEOUT_MS }, async () => {
    const out = await onPty({ NO_COLOR: '1' });
    expect(out).not.toContain('\x1b[');
    expectTree(out);
  });
});

describe('on a pipe', () => {
  it('has no colour and the same structure, cut at the default width', { timeout: TIMEOUT_MS }, async () => {
    const out = await onPipe();
    expect(out).not.toContain('\x1b');
    expectTree(out);
    const widths = lines(out).map(textWidth);
    expect(Math.max(...widths)).toBeLessThanOrEqual(DEFAULT_WIDTH);
    expect(widths.at(-1)).toBeGreaterThan(DEFAULT_WIDTH - 3);
    expect(out).not.toContain('\ufffd'); // no surrogate pair was split
  });

  it('is coloured with FORCE_COLOR', { timeout: TIMEOUT_MS }, async () => {
    const out = await onPipe({ FORCE_COLOR: '1' });
    expect(out).toContain('\x1b[36m[alt]\x1b[39m');
    expectTree(out);
  });
});
