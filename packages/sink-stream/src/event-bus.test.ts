import { EventRecord, ObsValidationError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { makeEnvelope } from './test/helpers.js';

describe('EventBus', () => {
  it('delivers to subscribers whose filter matches, in publish order', () => {
    const bus = new EventBus();
    const all: number[] = [];
    const tools: number[] = [];
    bus.subscribe((r) => {
      all.push(r.envelope.seq);
    });
    bus.subscribe((r) => void tools.push(r.envelope.seq), {
      filter: { types: ['tool.*'], session_ids: ['s-1'] },
    });
    bus.publish(makeEnvelope(1, { event_type: 'tool.call' }));
    bus.publish(makeEnvelope(2, { event_type: 'llm.call' }));
    bus.publish(new EventRecord(makeEnvelope(3, { event_type: 'tool.result' })));
    bus.publish(makeEnvelope(4, { event_type: 'tool.result', session_id: null }));
    expect(all).toEqual([1, 2, 3, 4]);
    expect(tools).toEqual([1, 3]);
  });

  it('isolates a throwing subscriber: others still receive, publish does not throw, the logger hears of it', () => {
    const warnings: string[] = [];
    const bus = new EventBus({ logger: { error() {}, warn: (m) => warnings.push(m) } });
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((r) => void got.push(r.envelope.seq));
    expect(() => bus.publish(makeEnvelope(1))).not.toThrow();
    expect(got).toEqual([1]);
    expect(warnings[0]).toMatch(/boom/);
  });

  it('gives a slow async subscriber its own bounded queue, dropping its oldest, without holding others back', async () => {
    const bus = new EventBus();
    const slow: number[] = [];
    const fast: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let drained!: () => void;
    const allFour = new Promise<void>((r) => (drained = r));
    const sub = bus.subscribe(
      async (r) => {
        await gate;
        slow.push(r.envelope.seq);
        if (slow.length === 4) drained();
      },
      { maxPending: 3 },
    );
    bus.subscribe((r) => void fast.push(r.envelope.seq));
    for (let i = 1; i <= 10; i++) bus.publish(makeEnvelope(i));
    expect(fast).toHaveLength(10);
    expect(sub.dropped).toBe(6);
    release();
    // the one in flight and the three kept: nothing else is queued, so a fifth never comes
    await allFour;
    expect(slow).toEqual([1, 8, 9, 10]);
    expect(sub.dropped).toBe(6);
  });

  it('keeps delivering to an async subscriber whose promise rejects', async () => {
    const bus = new EventBus();
    const got: number[] = [];
    let second!: () => void;
    const both = new Promise<void>((r) => (second = r));
    bus.subscribe(async (r) => {
      got.push(r.envelope.seq);
      if (got.length === 2) second();
      throw new Error('async boom');
    });
    bus.publish(makeEnvelope(1));
    bus.publish(makeEnvelope(2));
    // the second is delivered only after the first one's promise rejected
    await both;
    expect(got).toEqual([1, 2]);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new EventBus();
    const got: number[] = [];
    const sub = bus.subscribe((r) => void got.push(r.envelope.seq));
    bus.publish(makeEnvelope(1));
    sub.unsubscribe();
    bus.publish(makeEnvelope(2));
    expect(got).toEqual([1]);
    expect(bus.size).toBe(0);
  });

  it('refuses an invalid filter with a validation error naming the field', () => {
    const bus = new EventBus();
    expect(() => bus.subscribe(() => {}, { filter: { types: ['Tool Call'] } })).toThrow(ObsValidationError);
    expect(() => bus.subscribe(() => {}, { filter: { audit_levels: ['loud' as 'turn'] } })).toThrow(
      /audit_levels/,
    );
    expect(() => bus.subscribe(() => {}, { filter: { run_id: 'x' } as never })).toThrow(/run_id/);
    expect(() => bus.subscribe(() => {}, { maxPending: 0 })).toThrow(/maxPending/);
  });
});
