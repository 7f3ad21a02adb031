import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createObservability } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createPostgresSink } from '@obs/sink-postgres';
import { freshSchema } from '@obs/sink-postgres/testing';
import { createSqliteSink } from '@obs/sink-sqlite';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openJsonlReadStore } from './jsonl/jsonl-read-store.js';
import { openPostgresReadStore } from './postgres/postgres-read-store.js';
import type { ReadStore, TailedEvent } from './read-store.js';
import { openSqliteReadStore } from './sqlite/sqlite-read-store.js';

const CHILD = fileURLToPath(new URL('../test-fixtures/writer-child.mjs', import.meta.url));
const COUNT = 30;

let dir: string;
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

type Kind = 'sqlite' | 'jsonl' | 'postgres';
const pgUrl = inject('pgUrl');
let schema = '';

/** Creates a store of each kind with two seed events (so the file and schema exist, and a cursor). */
async function seed(kind: Kind): Promise<{ path: string; open: () => Promise<ReadStore> }> {
  dir = mkdtempSync(join(tmpdir(), 'obs-read-store-tail-'));
  schema = freshSchema('tail');
  const path = kind === 'sqlite' ? join(dir, 'obs.db') : kind === 'jsonl' ? join(dir, 'trail') : pgUrl;
  const sink =
    kind === 'sqlite'
      ? createSqliteSink({ path })
      : kind === 'jsonl'
        ? createJsonlSink({ dir: path })
        : createPostgresSink({ url: path, schema });
  const obs = createObservability({ source: 'seed', sinks: [sink], defaultRunId: 'run-seed' });
  obs.emit('log', { level: 'info', message: 'seed 0' });
  obs.emit('log', { level: 'info', message: 'seed 1' });
  await obs.shutdown();
  return {
    path,
    open: async () =>
      kind === 'sqlite'
        ? openSqliteReadStore(path)
        : kind === 'jsonl'
          ? openJsonlReadStore(path)
          : openPostgresReadStore(path, { schema }),
  };
}

/** Resolves when the child prints `line`; rejects if it closes first or takes longer than `timeoutMs`. */
function whenLine(
  proc: ChildProcess,
  lines: ReturnType<typeof createInterface>,
  line: string,
  timeoutMs: number,
) {
  const seen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`writer child printed no "${line}" in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onClose = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`writer child ended (${code ?? signal}) before "${line}"`));
    };
    proc.once('close', onClose);
    lines.on('line', (l) => {
      if (l !== line) return;
      clearTimeout(timer);
      proc.off('close', onClose);
      resolve();
    });
  });
  seen.catch(() => {}); // reported where it is awaited; a test that failed earlier never awaits it
  return seen;
}

function startChild(
  kind: string,
  path: string,
): { written: Map<string, number>; ready: Promise<void>; done: Promise<void> } {
  const proc = spawn(process.execPath, [CHILD, kind, path, String(COUNT), '10', schema], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child = proc;
  const written = new Map<string, number>();
  const lines = createInterface({ input: proc.stdout! });
  lines.on('line', (line) => {
    const [id, at] = line.split(' ');
    if (at !== undefined) written.set(id!, Number(at));
  });
  return {
    written,
    ready: whenLine(proc, lines, 'ready', 10_000),
    done: whenLine(proc, lines, 'done', 20_000),
  };
}

describe.each(['sqlite', 'jsonl', 'postgres'] as const)('tail on %s', (kind) => {
  it('delivers events written by another process, in order, and resumes from a cursor', {
    timeout: 30_000,
  }, async () => {
    const { path, open } = await seed(kind);
    const store = await open();
    const controller = new AbortController();
    // tail from the first seed event: the second one coming through shows the tail is positioned
    // and polling before the child writes anything
    const afterFirstSeed = (await store.listEvents({ order: 'asc', limit: 1 })).next_cursor!;
    const iterator = store.tail({ since: afterFirstSeed, signal: controller.signal })[Symbol.asyncIterator]();
    const seeded = await iterator.next();
    expect(seeded.done ? undefined : seeded.value.envelope.payload['message']).toBe('seed 1');
    const writer = startChild(kind, path);
    await writer.ready;
    child!.stdin!.write('go\n');
    const got: { event: TailedEvent }[] = [];
    while (got.length < COUNT) {
      const result = await iterator.next();
      if (result.done) break;
      got.push({ event: result.value });
    }
    controller.abort();
    await writer.done;
    expect(
      got.map((g) => g.event.envelope.payload['message'] ?? g.event.envelope.payload['content']),
    ).toEqual(Array.from({ length: COUNT }, (_, i) => (i % 2 === 0 ? `child ${i}` : `thinking ${i}`)));
    // every event the child reported durable came through, and nothing else
    expect(got.map((g) => g.event.envelope.event_id)).toEqual([...writer.written.keys()]);

    const resumed: TailedEvent[] = [];
    const again = new AbortController();
    for await (const e of store.tail({
      since: got[9]!.event.cursor,
      filter: { types: ['log'] },
      signal: again.signal,
    })) {
      resumed.push(e);
      if (resumed.length === 10) again.abort();
    }
    expect(resumed.map((e) => e.envelope.payload['message'])).toEqual(
      Array.from({ length: 10 }, (_, i) => `child ${10 + 2 * i}`),
    );

    const fresh = await open();
    const fromOther: TailedEvent[] = [];
    const stop = new AbortController();
    for await (const e of fresh.tail({ since: got[27]!.event.cursor, signal: stop.signal })) {
      fromOther.push(e);
      if (fromOther.length === 2) stop.abort();
    }
    expect(fromOther.map((e) => e.envelope.event_id)).toEqual(
      got.slice(28).map((g) => g.event.envelope.event_id),
    );
    await fresh.close();
    await store.close();
  });
});

describe('tail on postgres', () => {
  it('is woken by NOTIFY: with a 10 s fallback poll, a commit arrives long before it', async () => {
    const { open } = await seed('postgres');
    const store = await open();
    const controller = new AbortController();
    const iterator = store.tail({ intervalMs: 10_000, signal: controller.signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    const sink = createPostgresSink({ url: pgUrl, schema });
    const obs = createObservability({ source: 'late', sinks: [sink], defaultRunId: 'run-late' });
    // the tail is positioned before anything is written: it skips what was visible at its start
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    obs.emit('log', { level: 'info', message: 'notified' });
    await obs.flush();
    const result = await Promise.race([
      next,
      new Promise<'fallback'>((resolve) => setTimeout(() => resolve('fallback'), 5_000)),
    ]);
    expect(result === 'fallback' ? result : result.value?.envelope.payload['message']).toBe('notified');
    expect(Date.now() - started).toBeLessThan(5_000);
    controller.abort();
    await obs.shutdown();
    await store.close();
  });
});
