import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createObservability, OBS_ERROR_CODES, ObsError, ObsValidationError } from '@obs/core';
import { createMemorySink, makeRecord } from '@obs/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import { readAll, tempDir, trailNames } from './test/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('createJsonlSink', () => {
  it('writes the same bytes as the memory sink for the same events', async () => {
    const memory = createMemorySink();
    const sink = createJsonlSink({ dir });
    const obs = createObservability({ source: 'contract', sinks: [memory, sink], defaultRunId: 'run-1' });
    obs.emit('log', {
      level: 'info',
      message: 'héllo ✓ \u2028 "quoted" \\ 😀',
      fields: { z: 1, a: [null, 2.5] },
    });
    obs.emit(
      'tool.call',
      { tool: 'search', arguments: { q: 'x', n: 3 } },
      { status: 'ok', duration_ms: 1.25 },
    );
    await obs.shutdown();
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(memory.lines).toHaveLength(2);
    expect(text).toBe(memory.lines.map((l) => `${l}\n`).join(''));
  });

  it('in flush durability has each batch in the file when write() returns, with no await', () => {
    const sink = createJsonlSink({ dir, durability: 'flush' });
    expect(sink.queueDefaults).toEqual({ lingerMs: 0 });
    const result = sink.write([makeRecord(1), makeRecord(2)]);
    expect(result).toBeUndefined();
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')).toHaveLength(3);
    sink.write([makeRecord(3)]);
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')).toHaveLength(4);
  });

  it.each(['batch', 'flush', 'fsync'] as const)(
    'writes every event once through the service in %s durability',
    async (durability) => {
      const sink = createJsonlSink({ dir, durability });
      const obs = createObservability({
        source: 'modes',
        sinks: [{ sink, queue: { ...sink.queueDefaults, batchSize: 64 } }],
        defaultRunId: 'run-1',
      });
      for (let i = 0; i < 500; i++) obs.emit('log', { level: 'info', message: `m${i}` });
      await obs.flush();
      expect((await readAll(dir)).seqs).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      await obs.shutdown();
      expect(obs.stats().sinks[0]).toMatchObject({ written: 500, failed: 0, dropped: 0 });
    },
  );

  it('raises on write after close', async () => {
    const sink = createJsonlSink({ dir });
    await sink.write([makeRecord(1)]);
    await sink.close();
    await sink.close();
    expect(() => sink.write([makeRecord(2)])).toThrow(ObsError);
    try {
      sink.write([makeRecord(2)]);
    } catch (error) {
      expect((error as ObsError).code).toBe(OBS_ERROR_CODES.CLOSED);
      expect((error as Error).message).toMatch(/closed/);
    }
    expect(sink.health()).toEqual({ ok: false, detail: 'closed' });
  });

  it('appends cleanly after a torn last line left by a crash', async () => {
    const file = join(dir, 'events.jsonl');
    const first = createJsonlSink({ dir });
    await first.write([makeRecord(1)]);
    await first.close();
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"schema_version":1,"event_id":"01`);
    const warnings: string[] = [];
    const second = createJsonlSink({ dir, logger: { error() {}, warn: (m) => warnings.push(m) } });
    await second.write([makeRecord(2), makeRecord(3)]);
    await second.close();
    const { seqs, report } = await readAll(dir);
    expect(seqs).toEqual([1, 2, 3]);
    expect(report.issues).toEqual([expect.objectContaining({ line: 2, reason: 'json' })]);
    expect(warnings.join()).toMatch(/torn line/);
  });

  it('writes one file per event type, inside the directory whatever the type', async () => {
    const sink = createJsonlSink({ dir: join(dir, 'trail'), routeBy: 'event_type' });
    const hostile = ['../escape', '/etc/passwd', 'a\u0000b', 'x'.repeat(300), '..', 'ｌｏｇ', 'tool.call'];
    await sink.write(hostile.map((event_type, i) => makeRecord(i + 1, { event_type })));
    await sink.write([makeRecord(100, { event_type: 'tool.call' })]);
    await sink.close();
    const names = trailNames(join(dir, 'trail'));
    expect(readdirSync(dir)).toEqual(['trail']);
    expect(names).toHaveLength(hostile.length);
    expect(names).toContain('tool.call.jsonl');
    for (const name of names) expect(name).toMatch(/^[a-z0-9_][a-z0-9_.]*(-[0-9a-f]{12})?\.jsonl$/);
    expect(existsSync('/etc/passwd.jsonl')).toBe(false);
    const lines = readFileSync(join(dir, 'trail', 'tool.call.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([7, 100]);
  });

  it('rejects bad options with every problem named', () => {
    const bad = () =>
      createJsonlSink({
        dir: '',
        fileName: '../up',
        durability: 'sometimes' as 'batch',
        rotation: { maxBytes: 10 },
        extra: true,
      } as never);
    expect(bad).toThrow(ObsValidationError);
    try {
      bad();
    } catch (error) {
      const paths = (error as ObsValidationError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['dir', 'fileName', 'durability', 'rotation.maxBytes', '']),
      );
    }
    expect(() => createJsonlSink({ dir, fileName: 'events.jsonl' })).toThrow(/extension/);
    expect(() => createJsonlSink(undefined as never)).toThrow(ObsValidationError);
  });

  it('does not touch the disk before the first write', () => {
    const target = join(dir, 'later');
    createJsonlSink({ dir: target });
    expect(existsSync(target)).toBe(false);
  });
});
