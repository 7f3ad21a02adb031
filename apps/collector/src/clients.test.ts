import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, storedEventIds } from './test/harness.js';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;

/** Runs a program without blocking the event loop (the collector under test lives in this process). */
function run(
  command: string,
  args: string[],
  input?: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    // bounded: a client stuck on a dead collector is killed rather than left running
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input ?? '');
  });
}
beforeAll(async () => {
  ctx = await startTestCollector();
});
afterAll(() => ctx.cleanup());

const PYTHON_CLIENT = `
import json, sys, urllib.request, urllib.error
url = sys.argv[1]
events = [
    {"event_type": "run.started", "run_id": "py-run-1", "source": "python-agent", "payload": {"agent": "py", "goal": "demo"}},
    {"event_type": "llm.call", "run_id": "py-run-1", "source": "python-agent", "status": "ok", "duration_ms": 812.5,
     "payload": {"provider": "openai", "model": "gpt-4o", "prompt_tokens": 10, "completion_tokens": 3, "cost_usd": 0.0001}},
]
req = urllib.request.Request(url + "/v1/events", data=json.dumps(events).encode(), headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(req) as resp:
    print(json.dumps({"status": resp.status, "body": json.loads(resp.read())}))
bad = urllib.request.Request(url + "/v1/events", data=b'{"event_type": "llm.call", "run_id": "r", "payload": {}}', headers={"Content-Type": "application/json"}, method="POST")
try:
    urllib.request.urlopen(bad)
except urllib.error.HTTPError as e:
    print(json.dumps({"status": e.code, "body": json.loads(e.read())}))
`;

describe('clients that are not Node', () => {
  it('python3 with only its standard library posts a batch and reads a 400', async () => {
    const python = await run('python3', ['-c', PYTHON_CLIENT, ctx.collector.url]);
    expect(python.stderr).toBe('');
    const [ok, bad] = python.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(2);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['payload.provider', 'payload.model']),
    );
    expect(storedEventIds(ctx.dir)).toEqual(expect.arrayContaining(ok.body.event_ids));
  });

  it('curl posts NDJSON', async () => {
    const body = [
      {
        event_type: 'log',
        run_id: 'curl-run',
        source: 'shell',
        payload: { level: 'info', message: 'hello from curl' },
      },
      {
        event_type: 'log',
        run_id: 'curl-run',
        source: 'shell',
        payload: { level: 'warn', message: 'second line' },
      },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const curl = await run(
      'curl',
      [
        '-sS',
        '-X',
        'POST',
        '-H',
        'content-type: application/x-ndjson',
        '--data-binary',
        '@-',
        `${ctx.collector.url}/v1/events`,
      ],
      body,
    );
    const parsed = JSON.parse(curl.stdout) as { accepted: number; event_ids: string[] };
    expect(parsed.accepted).toBe(2);
    expect(storedEventIds(ctx.dir)).toEqual(expect.arrayContaining(parsed.event_ids));
  });
});
