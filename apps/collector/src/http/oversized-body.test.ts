import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, sampleEvent, startTestCollector, storedEventIds } from '../test/harness.js';

const run = promisify(execFile);
const LIMIT = 8 * 1024 * 1024;
let ctx: Awaited<ReturnType<typeof startTestCollector>>;
let url: string;

beforeAll(async () => {
  ctx = await startTestCollector({ OBS_MAX_BODY_BYTES: String(LIMIT) });
  url = `${ctx.collector.url}/v1/events`;
});
afterAll(() => ctx.cleanup());

/** A JSON batch of about `bytes` bytes. */
const bodyOf = (bytes: number) =>
  JSON.stringify([{ ...sampleEvent(1), payload: { tool: 'x'.repeat(bytes) } }]);

const PYTHON_POST = `
import json, sys, urllib.request, urllib.error
body = json.dumps([{"event_type": "tool.call", "run_id": "r", "payload": {"tool": "x" * (9 * 1024 * 1024)}}]).encode()
request = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(request)
    print(json.dumps({"status": 200}))
except urllib.error.HTTPError as e:
    print(json.dumps({"status": e.code, "body": json.loads(e.read())}))
`;

describe('an oversized body gets its 413 from standard clients', () => {
  it('Python urllib, which sends the whole body before reading, receives the 413 and its message', async () => {
    const { stdout } = await run('python3', ['-c', PYTHON_POST, url], { maxBuffer: 1 << 20 });
    const answer = JSON.parse(stdout) as {
      status: number;
      body: { error: { code: string; message: string } };
    };
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(answer.body.error.message).toMatch(/exceeds 8388608 bytes/);
  });

  it('curl, which asks with Expect: 100-continue, is answered 413 before it sends the body', async () => {
    const file = join(ctx.dir, 'big.json');
    writeFileSync(file, bodyOf(9 * 1024 * 1024));
    const { stdout, stderr } = await run(
      'curl',
      [
        '-sS',
        '-v',
        '-w',
        '\n%{http_code}',
        '-H',
        'content-type: application/json',
        '--data-binary',
        `@${file}`,
        url,
      ],
      { maxBuffer: 1 << 20 },
    );
    expect(stderr).toMatch(/> Expect: 100-continue/i);
    expect(stderr).not.toMatch(/< HTTP\/1\.1 100/);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('413');
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('Node fetch receives the 413, and the next request on the server still works', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodyOf(LIMIT + 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const ok = await post(url, sampleEvent(2));
    expect(ok.status).toBe(200);
    expect(storedEventIds(ctx.dir)).toHaveLength(1);
  });
});
