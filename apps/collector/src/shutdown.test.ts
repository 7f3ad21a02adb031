import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killedAfterEach, sampleEvent, storedEventIds } from './test/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-collector-sigterm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children = killedAfterEach();
const START_TIMEOUT_MS = 15_000;

/** Starts the built collector; rejects if it exits or prints no URL within {@link START_TIMEOUT_MS}. */
function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'main.js')], {
    env: { ...process.env, OBS_DATA_DIR: dir, OBS_COLLECTOR_PORT: '0', OBS_STREAM: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`collector printed no URL in ${START_TIMEOUT_MS} ms: ${out}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited early with ${code}: ${out}`));
    });
  });
}

describe('graceful shutdown of the collector process', () => {
  // bounded by the start timeout and the drain, not by vitest's 5 s default (a loaded machine is slow)
  it('on SIGTERM finishes requests in flight and loses nothing it accepted', {
    timeout: START_TIMEOUT_MS + 30_000,
  }, async () => {
    const { child, url } = await startChild();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const accepted: string[] = [];
    let refused = 0;
    let firstAccepted!: () => void;
    const acceptedOne = new Promise<void>((resolve) => {
      firstAccepted = resolve;
    });
    const send = async (batch: number) => {
      try {
        const response = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            Array.from({ length: 100 }, (_, i) => sampleEvent(batch * 100 + i, `run-${batch}`)),
          ),
        });
        if (response.status === 200) {
          accepted.push(...((await response.json()) as { event_ids: string[] }).event_ids);
          firstAccepted();
        } else refused++;
      } catch {
        refused++;
      }
    };
    const inFlight: Promise<void>[] = [];
    for (let batch = 0; batch < 30; batch++) inFlight.push(send(batch));
    // SIGTERM once the collector has accepted one batch: it is serving, and the others are in flight
    await acceptedOne;
    child.kill('SIGTERM');
    for (let batch = 30; batch < 60; batch++) inFlight.push(send(batch));
    await Promise.all(inFlight);
    expect(await exited).toBe(0);
    expect(accepted.length).toBeGreaterThan(0);
    const stored = new Set(storedEventIds(dir));
    expect(accepted.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(accepted.length);
    expect(refused + accepted.length / 100).toBe(60);
  });
});
