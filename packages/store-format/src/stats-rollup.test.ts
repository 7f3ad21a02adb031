import type { Envelope } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyRollup,
  foldIntoRollups,
  mergeRollup,
  ROLLUP_BUCKET_MS,
  type RollupDeltaMap,
  type RollupDimensions,
  rollupDimensions,
  rollupKey,
  rollupsOf,
} from './stats-rollup.js';

const MINUTE0 = Date.UTC(2026, 0, 2, 3, 4);
const at = (ms: number) => new Date(MINUTE0 + ms).toISOString();

const events: Envelope[] = [
  makeEnvelope(1, { timestamp: at(0) }),
  makeEnvelope(2, {
    timestamp: at(10),
    event_type: 'span',
    status: 'ok',
    duration_ms: 12,
    payload: { operation: 'plan', component: 'planner', layer: 'agent' },
  }),
  makeEnvelope(3, {
    timestamp: at(20),
    event_type: 'span',
    status: 'ok',
    duration_ms: 30,
    payload: { operation: 'plan', component: 'planner', layer: 'agent' },
  }),
  makeEnvelope(4, {
    timestamp: at(30),
    event_type: 'llm.call',
    status: 'error',
    duration_ms: 800,
    payload: { provider: 'p', model: 'm-1', prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.5 },
  }),
  makeEnvelope(5, { timestamp: at(ROLLUP_BUCKET_MS + 1), event_type: 'error', payload: { message: 'x' } }),
  makeEnvelope(6, { timestamp: at(ROLLUP_BUCKET_MS + 2), event_type: 'span', payload: { operation: 7 } }),
];

const rows = (deltas: RollupDeltaMap) =>
  [...deltas.values()].map((r) => ({ ...r, latency: [r.latency.count, r.latency.percentile(50)] }));

describe('stats rollup rules', () => {
  it('key rows by minute, source, type, operation, status, model, layer and component', () => {
    const dims = events.map((e) => rollupDimensions(e, Date.parse(e.timestamp)));
    expect(dims[1]).toEqual({
      bucket_ts: MINUTE0,
      source: 'test',
      event_type: 'span',
      operation: 'plan',
      status: 'ok',
      model: null,
      layer: 'agent',
      component: 'planner',
    });
    expect(dims[3]).toMatchObject({ operation: 'llm.call', model: 'm-1', status: 'error' });
    expect(dims[4]).toMatchObject({
      bucket_ts: MINUTE0 + ROLLUP_BUCKET_MS,
      operation: 'error',
      status: null,
    });
    // A span whose operation is not a string is named after its type, like the trace tree does.
    expect(dims[5]).toMatchObject({ operation: 'span' });
  });

  it('fold counts, errors (status or type, once), tokens, cost, time bounds, max and sketch of durations', () => {
    const deltas = rollupsOf(events);
    expect(deltas.size).toBe(5);
    expect(rows(deltas)).toMatchObject([
      {
        event_type: 'log',
        event_count: 1,
        error_count: 0,
        first_ts: MINUTE0,
        duration_max: null,
        latency: [0, null],
      },
      {
        operation: 'plan',
        event_count: 2,
        first_ts: MINUTE0 + 10,
        last_ts: MINUTE0 + 20,
        duration_max: 30,
        latency: [2, expect.closeTo(12, 0)],
      },
      {
        model: 'm-1',
        event_count: 1,
        error_count: 1,
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        cost_usd: 0.5,
        duration_max: 800,
      },
      { event_type: 'error', error_count: 1 },
      { operation: 'span', error_count: 0 },
    ]);
  });

  it('merging the rows of two halves of a batch gives the rows of the whole batch (property)', () => {
    const arbitraryEvent = fc
      .record({
        ms: fc.integer({ min: 0, max: 5 * ROLLUP_BUCKET_MS }),
        type: fc.constantFrom('log', 'span', 'llm.call', 'error'),
        status: fc.constantFrom('ok', 'error', null),
        duration: fc.option(fc.double({ min: 0, max: 1e5, noNaN: true })),
        op: fc.constantFrom('a', 'b'),
        tokens: fc.nat(1000),
      })
      .map(({ ms, type, status, duration, op, tokens }, i = 0) =>
        makeEnvelope(i, {
          timestamp: at(ms),
          event_type: type,
          status: status as Envelope['status'],
          duration_ms: duration,
          payload: { operation: op, model: op, prompt_tokens: tokens, cost_usd: tokens / 1000 },
        }),
      );
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 60 }), fc.nat(60), (batch, cut) => {
        const whole = rollupsOf(batch);
        const merged = rollupsOf(batch.slice(0, cut));
        for (const [key, row] of rollupsOf(batch.slice(cut))) {
          const into = merged.get(key);
          if (into === undefined) merged.set(key, row);
          else mergeRollup(into, row);
        }
        expect(merged.size).toBe(whole.size);
        for (const [key, row] of whole) {
          const m = merged.get(key)!;
          expect({ ...m, latency: m.latency.encode(), cost_usd: 0 }).toEqual({
            ...row,
            latency: row.latency.encode(),
            cost_usd: 0,
          });
          expect(m.cost_usd).toBeCloseTo(row.cost_usd, 9);
        }
      }),
    );
  });

  it('give two dimension sets the same key only when every field is equal (property)', () => {
    const text = fc.oneof(fc.constantFrom('', '-', '|', '1:a|', 'a'), fc.string({ maxLength: 6 }));
    const dims = fc.record<RollupDimensions>({
      bucket_ts: fc.constantFrom(0, ROLLUP_BUCKET_MS),
      source: text,
      event_type: text,
      operation: text,
      status: fc.constantFrom('ok', 'error', null),
      model: fc.option(text),
      layer: fc.option(text),
      component: fc.option(text),
    });
    fc.assert(
      fc.property(dims, dims, (a, b) => {
        const same = JSON.stringify(Object.values(a)) === JSON.stringify(Object.values(b));
        expect(rollupKey(a) === rollupKey(b)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('folds a hostile payload (wrong types, negative and huge figures) without throwing or counting it', () => {
    const deltas: RollupDeltaMap = new Map();
    const hostile = makeEnvelope(1, {
      event_type: 'llm.call',
      payload: {
        model: { x: 1 },
        layer: 5,
        prompt_tokens: -5,
        completion_tokens: 'many',
        cost_usd: Number.NaN,
      },
    });
    foldIntoRollups(deltas, hostile);
    const [row] = [...deltas.values()];
    expect(row).toMatchObject({ model: null, layer: null, prompt_tokens: 0, total_tokens: 0, cost_usd: 0 });
    expect(emptyRollup(row!)).toMatchObject({ event_count: 0, duration_max: null });
  });
});
