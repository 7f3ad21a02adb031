import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
import { afterEach, expect, it } from 'vitest';
import { openJsonlReadStore } from './jsonl-read-store.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('tail delivers events emitted right after it starts (regression: the start was fixed at the first refresh)', {
  timeout: 15_000,
}, async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-jsonl-tail-start-'));
  const obs = createObservability({ source: 't', sinks: [createJsonlSink({ dir })], defaultRunId: 'run-1' });
  const log = async (message: string) => {
    obs.emit('log', { level: 'info', message });
    await obs.flush();
  };
  await log('before open');
  const store = await openJsonlReadStore(dir);
  await log('before tail'); // written, not yet read by the store: before the tail's start all the same
  const stop = new AbortController();
  const tail = store.tail({ signal: stop.signal })[Symbol.asyncIterator]();
  await log('first');
  await log('second');
  const got: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await tail.next();
    if (!r.done) got.push(r.value.envelope.payload['message']);
  }
  stop.abort();
  expect(got).toEqual(['first', 'second']);
  await obs.shutdown();
  await store.close();
});
