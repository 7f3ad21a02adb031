import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readJsonl } from './read-jsonl.js';
import { lines } from './test-envelopes.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-read-jsonl-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads a 200 MB trail with RSS growing by less than 64 MB', { timeout: 60_000 }, async () => {
  const file = join(dir, 'events.jsonl');
  const chunk = Buffer.from(lines(...Array.from({ length: 2500 }, (_, i) => i + 1)));
  const copies = Math.ceil((200 * 1024 * 1024) / chunk.length);
  const fd = openSync(file, 'w');
  for (let i = 0; i < copies; i++) writeSync(fd, chunk);
  closeSync(fd);

  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  let count = 0;
  for await (const _ of readJsonl(file)) {
    if (++count % 20_000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  expect(count).toBe(2500 * copies);
  expect((peak - baseline) / 2 ** 20).toBeLessThan(64);
});
