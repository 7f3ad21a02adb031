import { createObservability, OBS_ERROR_CODES, ObsError, ObsValidationError } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { createConsoleSink, DEFAULT_WIDTH } from './console-sink.js';
import { textWidth } from './internal/text.js';
import { TestStream } from './test/test-stream.js';

const NO_ENV = {};
const DURATION = String.raw`\(\d+(\.\d+)?(ms|s)\)`;

describe('createConsoleSink', () => {
  it('prints nested spans through the service as a tree, parents first, one write per batch', async () => {
    const stream = new TestStream();
    const sink = createConsoleSink({ stream, env: NO_ENV });
    const obs = createObservability({ source: 'test', sinks: [sink], defaultRunId: 'run-1' });
    await obs.span(
      'transition',
      async () => {
        await obs.span('gate_check', async () => obs.emit('log', { level: 'info', message: 'checked' }), {
          layer: 'foc',
          input_summary: 'WriteApprovalGate',
          summarize: () => 'allowed',
        });
        obs.emit('tool.call', { tool: 'search', arguments: { q: 'x' } });
      },
      { layer: 'alt', input_summary: 'L3→L2', summarize: () => 'success' },
    );
    await obs.shutdown();
    const patterns = [
      String.raw`^\[alt\] transition: L3→L2 → success ${DURATION}$`,
      String.raw`^  └─\[foc\] gate_check: WriteApprovalGate → allowed ${DURATION}$`,
      String.raw`^      └─\[log\] info: checked$`,
      String.raw`^  └─\[tool\] search: \{"q":"x"\}$`,
    ];
    expect(stream.lines).toHaveLength(patterns.length);
    for (const [i, p] of patterns.entries()) expect(stream.lines[i]).toMatch(new RegExp(p));
    expect(stream.text).not.toContain('\x1b');
    expect(obs.stats().sinks[0]).toMatchObject({ name: 'console', written: 4, dropped: 0, failed: 0 });
  });

  it('recommends a short linger and a drop policy: a live view, not a store', () => {
    const sink = createConsoleSink({ stream: new TestStream() });
    expect(sink.queueDefaults).toEqual({ lingerMs: 16, overflow: 'drop-oldest', capacity: 2_000 });
    expect(sink.name).toBe('console');
  });

  it('shows an event whose parent never comes after holdMs, by itself', async () => {
    const stream = new TestStream();
    const sink = createConsoleSink({ stream, env: NO_ENV, holdMs: 20 });
    sink.write([makeRecord(1, { parent_event_id: 'never-arrives' })]);
    expect(stream.text).toBe('');
    await vi.waitFor(() => expect(stream.lines).toEqual(['  └─[log] info: event 1']), { timeout: 5_000 });
    sink.close();
  });

  it('prints what it holds on flush and on close', () => {
    const stream = new TestStream();
    const sink = createConsoleSink({ stream, env: NO_ENV });
    sink.write([makeRecord(1, { parent_event_id: 'p1' })]);
    sink.flush();
    expect(stream.lines).toEqual(['  └─[log] info: event 1']);
    sink.write([makeRecord(2, { parent_event_id: 'p2' })]);
    sink.close();
    expect(stream.lines).toHaveLength(2);
  });

  it('refuses write() after close() with OBS_CLOSED; close() is idempotent', () => {
    const sink = createConsoleSink({ stream: new TestStream() });
    sink.close();
    sink.close();
    expect(() => sink.write([makeRecord(1)])).toThrow(ObsError);
    try {
      sink.write([makeRecord(1)]);
    } catch (error) {
      expect((error as ObsError).code).toBe(OBS_ERROR_CODES.CLOSED);
    }
    expect(sink.health()).toEqual({ ok: false, detail: 'closed' });
  });

  it('waits for drain when the stream asks it to, so the service queue (and its drop policy) takes the load', async () => {
    const stream = new TestStream();
    const sink = createConsoleSink({ stream, env: NO_ENV });
    stream.full = true;
    const pending = sink.write([makeRecord(1)]);
    expect(pending).toBeInstanceOf(Promise);
    let settled = false;
    void (pending as Promise<void>).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    stream.full = false;
    stream.emit('drain');
    await pending;
    expect(sink.write([makeRecord(2)])).toBeUndefined();
    expect(stream.lines).toHaveLength(2);
  });

  it('survives a failing stream (a reader that went away): the trace stops, health says why', () => {
    const stream = new TestStream();
    const warn = vi.fn();
    const sink = createConsoleSink({ stream, env: NO_ENV, logger: { error() {}, warn } });
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(sink.health()).toMatchObject({ ok: false, detail: expect.stringContaining('EPIPE') });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[sink-console:console]'), undefined);
    expect(() => sink.write([makeRecord(1)])).not.toThrow();
    expect(stream.text).toBe('');
    sink.close();
    expect(stream.listenerCount('error')).toBe(0);
  });

  it('turns a write that throws into the same stopped state', () => {
    const sink = createConsoleSink({
      stream: {
        write() {
          throw new Error('stream destroyed');
        },
      },
    });
    expect(() => sink.write([makeRecord(1)])).not.toThrow();
    expect(sink.health().ok).toBe(false);
  });

  describe('colour and width', () => {
    it('colours a TTY unless NO_COLOR is set; FORCE_COLOR colours anything unless it is 0/false', () => {
      const tty = () => new TestStream({ isTTY: true, columns: 100 });
      expect(createConsoleSink({ stream: tty(), env: {} }).color).toBe(true);
      expect(createConsoleSink({ stream: tty(), env: { NO_COLOR: '1' } }).color).toBe(false);
      expect(createConsoleSink({ stream: tty(), env: { NO_COLOR: '' } }).color).toBe(true);
      expect(createConsoleSink({ stream: tty(), env: { TERM: 'dumb' } }).color).toBe(false);
      expect(createConsoleSink({ stream: tty(), env: { NO_COLOR: '1', FORCE_COLOR: '1' } }).color).toBe(
        false,
      );
      expect(createConsoleSink({ stream: new TestStream(), env: {} }).color).toBe(false);
      expect(createConsoleSink({ stream: new TestStream(), env: { FORCE_COLOR: '1' } }).color).toBe(true);
      expect(createConsoleSink({ stream: tty(), env: { FORCE_COLOR: '0' } }).color).toBe(false);
      expect(createConsoleSink({ stream: tty(), env: {}, color: false }).color).toBe(false);
      expect(createConsoleSink({ stream: new TestStream(), color: true }).color).toBe(true);
    });

    it('uses the terminal columns, following a resize; else the default width; `width` wins', () => {
      const stream = new TestStream({ isTTY: true, columns: 60 });
      const sink = createConsoleSink({ stream, env: {} });
      expect(sink.width()).toBe(60);
      stream.columns = 90;
      expect(sink.width()).toBe(90);
      expect(createConsoleSink({ stream: new TestStream({ columns: 60 }) }).width()).toBe(DEFAULT_WIDTH);
      expect(createConsoleSink({ stream, width: 40 }).width()).toBe(40);
    });

    it('cuts every line to the width', () => {
      const stream = new TestStream({ isTTY: true, columns: 50 });
      const sink = createConsoleSink({ stream, env: { NO_COLOR: '1' } });
      sink.write([makeRecord(1, { payload: { level: 'info', message: `${'步骤😀'.repeat(40)}` } })]);
      expect(stream.lines).toHaveLength(1);
      expect(textWidth(stream.lines[0]!)).toBeLessThanOrEqual(50);
      expect(stream.lines[0]!.endsWith('…')).toBe(true);
    });
  });

  it('leads each line with the run id when showRun is on', () => {
    const stream = new TestStream();
    createConsoleSink({ stream, env: NO_ENV, showRun: true }).write([makeRecord(1, { run_id: 'run-9' })]);
    expect(stream.lines).toEqual(['run-9 [log] info: event 1']);
  });

  it('validates its options with one schema, naming each bad field', () => {
    expect(() => createConsoleSink({ width: 5, holdMs: -1 } as never)).toThrow(ObsValidationError);
    try {
      createConsoleSink({ width: 5, stream: {} } as never);
    } catch (error) {
      expect((error as ObsValidationError).issues.map((i) => i.path).sort()).toEqual(['stream', 'width']);
    }
    expect(() => createConsoleSink({ colour: true } as never)).toThrow(/colour/);
  });
});
