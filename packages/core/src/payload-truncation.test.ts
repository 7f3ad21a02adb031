import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ObsValidationError } from './errors.js';
import { defineEventType } from './event-type.js';
import { createObservability } from './observability.js';
import { PayloadGuard } from './payload-guard.js';
import { jsonBytes, TRUNCATED_KEYS_MARKER, truncateToBytes } from './payload-truncation.js';
import { createMemorySink } from './testing/memory-sink.js';

const LIMIT = 256 * 1024;
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('truncateToBytes', () => {
  it('measures exactly what JSON.stringify makes, escapes and multi-byte characters included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonBytes(value)).toBe(bytesOf(value));
      }),
    );
  });

  it('bounds any generated shape and leaves values that fit untouched', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 200, max: 4_000 }), (value, budget) => {
        const cut = truncateToBytes(value, budget);
        if (bytesOf(value) <= budget) expect(cut).toBe(value);
        else expect(bytesOf(cut)).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 300 },
    );
  });

  it('bounds wide and deep shapes built to defeat a string-only cut', () => {
    const deep = (n: number): unknown => (n === 0 ? 'y'.repeat(5_000) : { child: deep(n - 1), n });
    const shapes = fc.oneof(
      fc.array(fc.string({ maxLength: 4 }), { minLength: 2_000, maxLength: 4_000 }),
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 2_000, maxLength: 4_000 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.integer(), {
        minKeys: 1_000,
        maxKeys: 2_000,
      }),
      fc.integer({ min: 1, max: 60 }).map(deep),
      fc.string({ unit: 'grapheme', minLength: 5_000, maxLength: 8_000 }),
    );
    fc.assert(
      fc.property(shapes, (value) => {
        expect(bytesOf(truncateToBytes({ tool: 't3', value }, 2_048))).toBeLessThanOrEqual(2_048);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps short identifying fields and says what it cut', () => {
    const cut = truncateToBytes(
      {
        tool: 't3',
        call_id: 'c-1',
        args: Array.from({ length: 10_000 }, (_, i) => i),
        text: 'z'.repeat(9_000),
      },
      4_096,
    ) as { tool: string; call_id: string; args: unknown[]; text: string };
    expect(cut.tool).toBe('t3');
    expect(cut.call_id).toBe('c-1');
    expect(cut.args.at(-1)).toMatch(/^…\[obs:truncated \d+ of 10000 items\]$/);
    expect(cut.text).toMatch(/…\[obs:truncated \d+ of 9000 chars\]$/);
    const wide = truncateToBytes(
      Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
      1_024,
    );
    expect((wide as Record<string, string>)[TRUNCATED_KEYS_MARKER]).toMatch(/^\d+ of 5000 keys$/);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateToBytes('😀'.repeat(5_000), 1_000) as string;
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(bytesOf(cut)).toBeLessThanOrEqual(1_000);
  });
});

describe('the payload bound through the service, as a new user meets it (regressions)', () => {
  const emitInto = (payload: Record<string, unknown>) => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 't', sinks: [sink], defaultRunId: 'r' });
    obs.emit('tool.call', payload as { tool: string });
    return { obs, sink };
  };

  it('stores 200,000 short strings within the default limit, counted as one truncated event', async () => {
    const { obs, sink } = emitInto({
      tool: 't3',
      arguments: Array.from({ length: 200_000 }, (_, i) => `s${i}`),
    });
    await obs.flush();
    const line = sink.lines[0]!;
    expect(JSON.parse(line).payload.tool).toBe('t3');
    expect(bytesOf(JSON.parse(line).payload)).toBeLessThanOrEqual(LIMIT);
    expect(line).toMatch(/…\[obs:truncated \d+ of 200000 items\]/);
    expect(obs.stats().truncated).toBe(1);
    await obs.shutdown();
  });

  it('stores 1.2M numbers within the limit and keeps the only string, tool: "t3"', async () => {
    const { obs, sink } = emitInto({
      tool: 't3',
      arguments: { values: Array.from({ length: 1_200_000 }, (_, i) => i) },
    });
    await obs.flush();
    const stored = JSON.parse(sink.lines[0]!).payload;
    expect(stored.tool).toBe('t3');
    expect(bytesOf(stored)).toBeLessThanOrEqual(LIMIT);
    expect(stored.arguments.values.at(-1)).toMatch(/of 1200000 items/);
    await obs.shutdown();
  });

  it('refuses, with the reason, a cut payload that no longer satisfies a strict schema', async () => {
    const Series = defineEventType(
      'app.series',
      z.strictObject({ name: z.string(), values: z.array(z.number()) }),
    );
    const obs = createObservability({
      source: 't',
      sinks: [createMemorySink()],
      defaultRunId: 'r',
      eventTypes: [Series],
      redaction: { maxPayloadBytes: 4_096 },
    });
    const emit = () =>
      obs.emit('app.series', { name: 'cpu', values: Array.from({ length: 10_000 }, (_, i) => i) });
    expect(emit).toThrow(ObsValidationError);
    expect(emit).toThrow(
      /larger than maxPayloadBytes, and cut to fit it no longer satisfies the schema of "app.series"/,
    );
    expect(obs.stats().truncated).toBe(0);
    obs.emit('app.series', { name: 'cpu', values: [1, 2, 3] });
    expect(obs.stats().emitted).toBe(1);
    await obs.shutdown();
  });

  it('keeps the guard cheap for payloads far under the limit (no exact measure)', () => {
    const guard = new PayloadGuard({ maxPayloadBytes: 1_000_000 });
    const payload = { tool: 't', arguments: { q: 'x'.repeat(1_000) } };
    expect(guard.guard(payload).payload).toBe(payload);
  });
});
