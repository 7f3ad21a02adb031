import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { OBS_ERROR_CODES, ObsError, ObsValidationError } from './errors.js';
import type { EventRecord } from './event-record.js';
import { defineEventType } from './event-type.js';
import { createObservability } from './observability.js';
import { createMemorySink } from './testing/memory-sink.js';

const llm = { provider: 'openai', model: 'gpt-4o', prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.001 };

describe('emit', () => {
  it('validates, enriches from context and delivers one canonical line per sink', async () => {
    const a = createMemorySink({ name: 'a' });
    const b = createMemorySink({ name: 'b' });
    const obs = createObservability({ source: 'agent', sinks: [a, b] });
    const envelope = obs.withContext({ run_id: 'r1', session_id: 's1', turn_number: 3 }, () =>
      obs.emit('llm.call', llm),
    );
    await obs.flush();
    expect(envelope).toMatchObject({
      source: 'agent',
      run_id: 'r1',
      session_id: 's1',
      turn_number: 3,
      seq: 1,
      audit_level: 'turn',
    });
    expect(a.lines).toEqual(b.lines);
    expect(JSON.parse(a.lines[0]!)).toEqual(envelope);
  });

  it('lists every failing path of an invalid payload and delivers nothing', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 'agent', sinks: [sink], defaultRunId: 'r' });
    let error: unknown;
    try {
      obs.emit('llm.call', { provider: 7, prompt_tokens: -1, extra: true } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ObsValidationError);
    const paths = (error as ObsValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['payload.provider', 'payload.model', 'payload.prompt_tokens', 'payload']),
    );
    expect((error as ObsValidationError).message).toMatch(/Unrecognized key: "extra"/);
    await obs.flush();
    expect(sink.events).toHaveLength(0);
    expect(obs.stats().rejected).toBe(1);
  });

  it('rejects unregistered types, missing run ids and malformed options', () => {
    const obs = createObservability({ source: 'agent', sinks: [] });
    expect(() => obs.emit('no.such' as never, {} as never, { run_id: 'r' })).toThrow(
      /"no.such" is not registered/,
    );
    expect(() => obs.emit('log', { level: 'info', message: 'm' })).toThrow(/run_id: required/);
    expect(() =>
      obs.emit('log', { level: 'info', message: 'm' }, { run_id: 'r', status: 'maybe' as never }),
    ).toThrow(/options.status/);
    expect(() =>
      obs.emit('log', { level: 'info', message: 'm' }, { run_id: 'r', bogus: 1 } as never),
    ).toThrow(/Unrecognized key/);
  });

  it('accepts application types and infers their payload type', async () => {
    const Checkout = defineEventType(
      'shop.checkout',
      z.strictObject({ cart_id: z.string(), total: z.number() }),
    );
    const sink = createMemorySink();
    const obs = createObservability({
      source: 'shop',
      sinks: [sink],
      eventTypes: [Checkout],
      defaultRunId: 'r',
    });
    expectTypeOf(obs.emit<'shop.checkout'>)
      .parameter(1)
      .toEqualTypeOf<{ cart_id: string; total: number }>();
    obs.emit('shop.checkout', { cart_id: 'c1', total: 9.5 });
    // @ts-expect-error total must be a number
    expect(() => obs.emit('shop.checkout', { cart_id: 'c1', total: 'x' })).toThrow(ObsValidationError);
    await obs.flush();
    expect(sink.events.map((e) => e.payload)).toEqual([{ cart_id: 'c1', total: 9.5 }]);
    expect(() => defineEventType('Bad Name', z.object({}))).toThrow(ObsValidationError);
  });

  it('keeps seq monotonic across emits', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 's', sinks: [sink], defaultRunId: 'r' });
    for (let i = 0; i < 100; i++) obs.emit('log', { level: 'info', message: String(i) });
    await obs.flush();
    expect(sink.events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('throws a clear error after shutdown and closes sinks once', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 's', sinks: [sink], defaultRunId: 'r' });
    obs.emit('log', { level: 'info', message: 'before' });
    await Promise.all([obs.shutdown(), obs.shutdown()]);
    expect(sink.closed).toBe(true);
    expect(sink.events).toHaveLength(1);
    let error: unknown;
    try {
      obs.emit('log', { level: 'info', message: 'after' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ObsError);
    expect((error as ObsError).code).toBe(OBS_ERROR_CODES.SHUT_DOWN);
  });
});

describe('context and spans', () => {
  it('never mixes the context of concurrent runs', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 's', sinks: [sink] });
    const runs = Array.from({ length: 50 }, (_, i) => `run-${i}`);
    await Promise.all(
      runs.map((run_id) =>
        obs.withContext({ run_id, session_id: `session-of-${run_id}` }, async () => {
          for (let step = 0; step < 10; step++) {
            await sleep(Math.random() * 3);
            await obs.span(`step-${step}`, async () => {
              await sleep(Math.random() * 2);
              obs.emit('agent.thought', { content: `${run_id}:${step}` });
            });
          }
        }),
      ),
    );
    await obs.flush();
    expect(sink.events).toHaveLength(50 * 10 * 2);
    for (const event of sink.events) {
      expect(event.session_id).toBe(`session-of-${event.run_id}`);
      if (event.event_type === 'agent.thought')
        expect(String(event.payload['content']).split(':')[0]).toBe(event.run_id);
    }
  });

  it('nests children under spans and records duration, status, error and stack', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 's', sinks: [sink], defaultRunId: 'r' });
    const boom = new Error('tool exploded');
    await obs.span('outer', async () => {
      obs.emit('log', { level: 'info', message: 'inside outer' });
      await expect(
        obs.span('inner', () => Promise.reject(boom), { component: 'Search', layer: 'tool' }),
      ).rejects.toBe(boom);
    });
    await obs.flush();
    const byOp = (op: string) =>
      sink.events.find((e) => e.event_type === 'span' && e.payload['operation'] === op)!;
    const outer = byOp('outer');
    const inner = byOp('inner');
    const log = sink.events.find((e) => e.event_type === 'log')!;
    expect(outer.parent_event_id).toBeNull();
    expect(log.parent_event_id).toBe(outer.event_id);
    expect(inner.parent_event_id).toBe(outer.event_id);
    expect(inner).toMatchObject({
      status: 'error',
      payload: { component: 'Search', layer: 'tool', error: { message: 'tool exploded' } },
    });
    expect(String((inner.payload['error'] as { stack: string }).stack)).toContain('observability.test');
    expect(outer.status).toBe('ok');
    expect(outer.duration_ms).toBeGreaterThanOrEqual(inner.duration_ms!);
    expect(Date.parse(outer.timestamp)).toBeLessThanOrEqual(Date.parse(log.timestamp));
  });
});

describe('sink isolation, retries and overflow', () => {
  it('retries a failing sink with backoff and keeps the healthy sink unaffected', async () => {
    const flaky = createMemorySink({ name: 'flaky', failWrites: 3 });
    const healthy = createMemorySink({ name: 'healthy' });
    const errors: string[] = [];
    const obs = createObservability({
      source: 's',
      sinks: [flaky, healthy],
      defaultRunId: 'r',
      queue: { retryBaseMs: 1 },
      onError: (e, sink) => errors.push(`${sink}: ${e.message}`),
    });
    for (let i = 0; i < 20; i++) obs.emit('log', { level: 'info', message: String(i) });
    await obs.flush();
    expect(healthy.events).toHaveLength(20);
    expect(flaky.events).toHaveLength(20);
    const stats = obs.stats().sinks.find((s) => s.name === 'flaky')!;
    expect(stats.retries).toBe(3);
    expect(stats.failed).toBe(0);
    expect(errors).toHaveLength(3);
  });

  it('counts a batch as failed after the last retry and still resolves flush', async () => {
    const broken = createMemorySink({ name: 'broken', failWrites: 1_000 });
    const obs = createObservability({
      source: 's',
      sinks: [broken],
      defaultRunId: 'r',
      queue: { maxRetries: 2, retryBaseMs: 1 },
      onError: () => {
        throw new Error('a throwing error handler must not break anything');
      },
    });
    obs.emit('log', { level: 'info', message: 'lost' });
    await obs.flush();
    expect(obs.stats()).toMatchObject({ failed: 1, sinks: [{ retries: 2, failed: 1 }] });
  });

  it.each([
    ['drop-newest', ['0', '1', '2', '3']],
    ['drop-oldest', ['6', '7', '8', '9']],
  ] as const)('applies %s when the queue is full and counts every drop', async (overflow, kept) => {
    const sink = createMemorySink();
    const obs = createObservability({
      source: 's',
      sinks: [sink],
      defaultRunId: 'r',
      queue: { capacity: 4, batchSize: 100, lingerMs: 50, overflow },
    });
    for (let i = 0; i < 10; i++) obs.emit('log', { level: 'info', message: String(i) });
    expect(obs.stats().dropped).toBe(6);
    await obs.flush();
    expect(sink.events.map((e) => e.payload['message'])).toEqual(kept);
  });

  it('block policy keeps events, signals backpressure, and stays bounded at twice the capacity', async () => {
    const sink = createMemorySink({ writeDelayMs: 5 });
    const obs = createObservability({
      source: 's',
      sinks: [sink],
      defaultRunId: 'r',
      queue: { capacity: 10, batchSize: 5, overflow: 'block' },
    });
    for (let i = 0; i < 30; i++) obs.emit('log', { level: 'info', message: String(i) });
    expect(obs.stats().dropped).toBe(10);
    await obs.ready();
    expect(obs.stats().queued).toBeLessThan(10);
    for (let i = 0; i < 50; i++) await obs.emitAsync('log', { level: 'info', message: `async ${i}` });
    await obs.flush();
    expect(sink.events).toHaveLength(70);
    expect(obs.stats().dropped).toBe(10);
  });

  it('reports a write that never settles as stuck, never starts a second one, and the shutdown deadline counts it failed', async () => {
    let calls = 0;
    const errors: string[] = [];
    let reportedStuck!: () => void;
    const stuck = new Promise<void>((resolve) => {
      reportedStuck = resolve;
    });
    const hanging = {
      name: 'hanging',
      write: () => {
        calls++;
        return new Promise<void>(() => {});
      },
      flush() {},
      close() {},
    };
    const obs = createObservability({
      source: 's',
      sinks: [hanging],
      defaultRunId: 'r',
      queue: { writeTimeoutMs: 20, retryBaseMs: 1 },
      onError: (e) => {
        errors.push(e.message);
        if (e.message.includes('has not settled')) reportedStuck();
      },
    });
    obs.emit('log', { level: 'info', message: 'x' });
    obs.emit('log', { level: 'info', message: 'y' });
    await stuck;
    expect(calls).toBe(1);
    expect(errors).toEqual(['write has not settled after 20 ms']);
    await obs.shutdown({ timeoutMs: 50 });
    expect(obs.stats().sinks[0]).toMatchObject({ written: 0, failed: 2 });
    // neither the report nor the shutdown's flush started a second write
    expect(calls).toBe(1);
  });

  it('isolates a poison event: after the retries, halves are written so only that event fails', async () => {
    const stored: string[] = [];
    const picky = {
      name: 'picky',
      write(batch: readonly EventRecord[]) {
        if (batch.some((r) => r.envelope.payload['message'] === 'poison'))
          throw new Error('cannot store this one');
        for (const r of batch) stored.push(String(r.envelope.payload['message']));
      },
      flush() {},
      close() {},
    };
    const obs = createObservability({
      source: 's',
      sinks: [picky],
      defaultRunId: 'r',
      queue: { maxRetries: 1, retryBaseMs: 1, batchSize: 16 },
    });
    const messages = Array.from({ length: 16 }, (_, i) => (i === 11 ? 'poison' : `m${i}`));
    for (const message of messages) obs.emit('log', { level: 'info', message });
    await obs.flush();
    expect(stored.sort()).toEqual(messages.filter((m) => m !== 'poison').sort());
    expect(obs.stats().sinks[0]).toMatchObject({ written: 15, failed: 1 });
  });

  it('deliver() reports exactly the events a sink did not store', async () => {
    const ok = createMemorySink({ name: 'ok' });
    const broken = createMemorySink({ name: 'broken', failWrites: 1_000 });
    const healthy = createObservability({ source: 's', sinks: [ok] });
    const input = (m: string) => ({ event_type: 'log', run_id: 'r', payload: { level: 'info', message: m } });
    expect((await healthy.deliver([input('a'), input('b')])).undelivered).toEqual([]);
    const failing = createObservability({ source: 's', sinks: [ok, broken], queue: { maxRetries: 0 } });
    const { envelopes, undelivered } = await failing.deliver([input('c'), input('d')]);
    expect(undelivered.map((e) => e.event_id)).toEqual(envelopes.map((e) => e.event_id));
  });

  it('emitAsync and ready() wait only on block-policy sinks', async () => {
    const stuck = { name: 'stuck', write: () => new Promise<void>(() => {}), flush() {}, close() {} };
    const obs = createObservability({
      source: 's',
      sinks: [{ sink: stuck, queue: { capacity: 1, overflow: 'drop-newest' } }],
      defaultRunId: 'r',
    });
    for (let i = 0; i < 5; i++) obs.emit('log', { level: 'info', message: String(i) });
    // resolving in microtasks beats the next turn of the event loop; waiting on the stuck sink never would
    const settled = await Promise.race([
      obs.emitAsync('log', { level: 'info', message: 'more' }).then(() => 'resolved'),
      new Promise((resolve) => setImmediate(resolve)).then(() => 'waited'),
    ]);
    expect(settled).toBe('resolved');
    await obs.shutdown({ timeoutMs: 10 });
  });

  it('emit does not wait for a slow sink', async () => {
    const slow = createMemorySink();
    const store = slow.write.bind(slow);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writesStarted = 0;
    slow.write = async (batch: readonly EventRecord[]) => {
      writesStarted++;
      await gate;
      await store(batch);
    };
    const obs = createObservability({ source: 's', sinks: [slow], defaultRunId: 'r' });
    for (let i = 0; i < 1_000; i++) {
      const envelope = obs.emit('log', { level: 'info', message: 'x' });
      // returned synchronously: an envelope, not a promise of one
      expect(typeof (envelope as unknown as { then?: unknown }).then).toBe('undefined');
      expect(envelope.seq).toBe(i + 1);
    }
    expect(writesStarted).toBe(0);
    expect(slow.events).toHaveLength(0);
    // once a write is under way and stuck, emit still returns at once and the event waits in the queue
    for (let turn = 0; turn < 100 && writesStarted === 0; turn++) await new Promise((r) => setImmediate(r));
    expect(writesStarted).toBe(1);
    expect(obs.emit('log', { level: 'info', message: 'during a stuck write' }).seq).toBe(1_001);
    expect(slow.events).toHaveLength(0);
    release();
    await obs.shutdown();
    expect(slow.events).toHaveLength(1_001);
  });
});

describe('queue settings', () => {
  it("applies a sink's queueDefaults over the service-wide queue, and a binding's queue over both", async () => {
    const own = Object.assign(createMemorySink({ name: 'own' }), {
      queueDefaults: { batchSize: 2, lingerMs: 0 },
    });
    const bound = Object.assign(createMemorySink({ name: 'bound' }), { queueDefaults: { batchSize: 2 } });
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      queue: { batchSize: 100, lingerMs: 1_000 },
      sinks: [own, { sink: bound, queue: { batchSize: 3, lingerMs: 0 } }],
    });
    for (let i = 0; i < 6; i++) obs.emit('log', { level: 'info', message: String(i) });
    // the six events are queued already; flush only waits for the lanes to take them, batchSize at a time
    await obs.flush();
    expect(own.batches).toEqual([2, 2, 2]);
    expect(bound.batches).toEqual([3, 3]);
    await obs.shutdown();
  });
});

describe('concurrent writes', () => {
  it('with concurrency 2 keeps two batches in flight and flush waits for the earlier one finishing last', async () => {
    const pending: (() => void)[] = [];
    let maxInFlight = 0;
    let inFlight = 0;
    let bothStarted!: () => void;
    const twoWrites = new Promise<void>((resolve) => {
      bothStarted = resolve;
    });
    const slow = {
      name: 'slow',
      write: () =>
        new Promise<void>((resolve) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          pending.push(() => {
            inFlight--;
            resolve();
          });
          if (pending.length === 2) bothStarted();
        }),
      flush() {},
      close() {},
    };
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      sinks: [{ sink: slow, queue: { batchSize: 2, lingerMs: 0, concurrency: 2 } }],
    });
    for (let i = 0; i < 4; i++) obs.emit('log', { level: 'info', message: String(i) });
    let flushed = false;
    const flushing = obs.flush().then(() => {
      flushed = true;
    });
    await twoWrites;
    expect(maxInFlight).toBe(2);
    pending[1]!();
    // the later batch settles in microtasks; one turn of the event loop later they have all run
    await new Promise((resolve) => setImmediate(resolve));
    expect(obs.stats().sinks[0]).toMatchObject({ written: 2 });
    expect(flushed).toBe(false);
    pending[0]!();
    await flushing;
    expect(obs.stats().sinks[0]).toMatchObject({ written: 4, batches: 2 });
  });
});

describe('drain scheduling', () => {
  // regression: an event offered in the microtasks between the last lane finding the queue empty and
  // the drain ending was never written, and a flush waiting for it hung
  it.each([1, 3])(
    'writes an event offered right after a write settles (concurrency %i)',
    async (concurrency) => {
      for (let depth = 0; depth < 8; depth++) {
        let hook: (() => void) | null = null;
        const sink = {
          name: 's',
          write() {
            if (hook) {
              const run = hook;
              hook = null;
              let chain = Promise.resolve();
              for (let i = 0; i < depth; i++) chain = chain.then(() => {});
              void chain.then(run);
            }
            return Promise.resolve();
          },
          flush() {},
          close() {},
        };
        const obs = createObservability({
          source: 't',
          defaultRunId: 'r',
          sinks: [{ sink, queue: { concurrency } }],
        });
        let hookRan!: (flushing: Promise<void>) => void;
        const flushStarted = new Promise<Promise<void>>((resolve) => {
          hookRan = resolve;
        });
        hook = () => {
          obs.emit('log', { level: 'info', message: 'late' });
          hookRan(obs.flush());
        };
        obs.emit('log', { level: 'info', message: 'first' });
        // the hook ran inside the first write; the flush it started must end (the bug: it hung)
        await await flushStarted;
        expect({ depth, queued: obs.stats().queued }).toEqual({ depth, queued: 0 });
        expect(obs.stats().sinks[0]).toMatchObject({ written: 2 });
      }
    },
  );

  it('keeps up to `concurrency` batches in flight under steady load', async () => {
    let current = 0;
    let most = 0;
    const held: (() => void)[] = [];
    const sink = {
      name: 's',
      write() {
        current++;
        most = Math.max(most, current);
        // each write stays in flight until the test lets it finish
        return new Promise<void>((resolve) =>
          held.push(() => {
            current--;
            resolve();
          }),
        );
      },
      flush() {},
      close() {},
    };
    const obs = createObservability({
      source: 't',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { batchSize: 10, concurrency: 3 } }],
    });
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    // a batch arrives per turn of the event loop while every write is still in flight
    for (let t = 0; t < 30; t++) {
      for (let i = 0; i < 10; i++) obs.emit('log', { level: 'info', message: 'm' });
      await nextTurn();
      expect(current).toBe(Math.min(t + 1, 3));
    }
    // then writes finish one at a time: each freed lane takes the next batch, never a fourth lane
    let released = 0;
    while (held.length > 0) {
      held.shift()!();
      released++;
      await nextTurn();
      expect(current).toBeLessThanOrEqual(3);
    }
    await obs.flush();
    expect(released).toBe(30);
    expect(most).toBe(3);
    expect(obs.stats().sinks[0]).toMatchObject({ written: 300 });
  });
});

describe('routing', () => {
  it('sends events only to sinks whose route matches', async () => {
    const all = createMemorySink({ name: 'all' });
    const llmOnly = createMemorySink({ name: 'llm' });
    const exports = createMemorySink({ name: 'exports' });
    const errors = createMemorySink({ name: 'errors' });
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      sinks: [
        all,
        { sink: llmOnly, route: { types: ['llm.*'] } },
        { sink: exports, route: { auditLevels: ['export'] } },
        { sink: errors, route: { when: (e) => e.status === 'error' } },
      ],
    });
    obs.emit('llm.call', llm);
    obs.emit('log', { level: 'info', message: 'exported' }, { audit_level: 'export' });
    obs.emit('tool.result', { tool: 't', success: false }, { status: 'error' });
    await obs.flush();
    expect(all.events).toHaveLength(3);
    expect(llmOnly.events.map((e) => e.event_type)).toEqual(['llm.call']);
    expect(exports.events.map((e) => e.event_type)).toEqual(['log']);
    expect(errors.events.map((e) => e.event_type)).toEqual(['tool.result']);
    expect(obs.stats().sinks.map((s) => s.written)).toEqual([3, 1, 1, 1]);
  });
});

describe('ingest', () => {
  it('assigns ids to envelopes from other processes and keeps their source', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 'collector', sinks: [sink] });
    const [a, b] = obs.ingestBatch([
      {
        event_type: 'log',
        run_id: 'r',
        payload: { level: 'info', message: 'from python' },
        source: 'py-agent',
      },
      { event_type: 'tool.call', run_id: 'r', payload: { tool: 'x' }, status: 'ok' },
    ]);
    expect(a).toMatchObject({ source: 'py-agent', request_id: null, audit_level: 'turn' });
    expect(b!.source).toBe('collector');
    await obs.flush();
    expect(sink.events).toHaveLength(2);
  });

  it('rejects a whole batch when one event is bad, naming its index, and writes nothing', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 'collector', sinks: [sink] });
    expect(() =>
      obs.ingestBatch([
        { event_type: 'log', run_id: 'r', payload: { level: 'info', message: 'ok' } },
        { event_type: 'log', run_id: 'r', payload: { level: 'loud', message: 'bad' } },
        { event_type: 'nope', run_id: 'r', payload: {} },
        'not an object',
      ]),
    ).toThrow(/\[1\]\.payload\.level.*\[2\]\.event_type.*\[3\]/);
    await obs.flush();
    expect(sink.events).toHaveLength(0);
  });
});
