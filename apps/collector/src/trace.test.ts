import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '@obs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from './config.js';
import { createPipeline } from './pipeline.js';
import { killedAfterEach } from './test/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-collector-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children = killedAfterEach();
const TIMEOUT_MS = 20_000;

describe('OBS_TRACE', () => {
  it('adds the console sink to the pipeline only when set', async () => {
    const sinksWith = async (env: Record<string, string>) => {
      const config = loadCollectorConfig({ OBS_DATA_DIR: dir, OBS_MODE: 'file_only', ...env });
      const { obs } = createPipeline(config);
      const names = obs.stats().sinks.map((s) => s.name);
      await obs.shutdown();
      return { trace: config.trace, names };
    };
    expect(await sinksWith({})).toMatchObject({
      trace: false,
      names: expect.not.arrayContaining(['console']),
    });
    expect(await sinksWith({ OBS_TRACE: '1' })).toMatchObject({
      trace: true,
      names: expect.arrayContaining(['console']),
    });
    expect(() => loadCollectorConfig({ OBS_TRACE: 'on' })).toThrow(/OBS_TRACE/);
  });

  it('makes the collector service print what it ingests on stderr, nested, with run ids', {
    timeout: TIMEOUT_MS + 10_000,
  }, async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'main.js')], {
      env: {
        ...process.env,
        OBS_DATA_DIR: dir,
        OBS_MODE: 'file_only',
        OBS_COLLECTOR_PORT: '0',
        OBS_TRACE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no URL in ${TIMEOUT_MS} ms: ${out}${err}`)),
        TIMEOUT_MS,
      );
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const call = uuidv7();
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          event_type: 'tool.call',
          event_id: call,
          run_id: 'run-t',
          payload: { tool: 'search', arguments: { q: 'x' } },
        },
        {
          event_type: 'tool.result',
          parent_event_id: call,
          run_id: 'run-t',
          status: 'ok',
          duration_ms: 5,
          payload: { tool: 'search', success: true, output: { hits: 1 } },
        },
      ]),
    });
    expect(response.status).toBe(200);
    const start = Date.now();
    while (!err.includes('{"hits":1}') && Date.now() - start < TIMEOUT_MS)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const trace = err.split('\n').filter((line) => line.startsWith('run-t '));
    expect(trace).toEqual(['run-t [tool] search: {"q":"x"}', 'run-t   └─[tool] search → {"hits":1} (5ms)']);
  });
});
