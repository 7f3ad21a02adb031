import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATENCY_SKETCH_RELATIVE_ACCURACY, LatencySketch } from './latency-sketch.js';
import { SketchFormatError } from './sketch-format-error.js';

/** The exact nearest-rank percentile, as read-store computes it over sorted durations. */
function exactPercentile(values: readonly number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sketchOf = (values: readonly number[]) => {
  const s = new LatencySketch();
  for (const v of values) s.add(v);
  return s;
};

const withinAccuracy = (estimate: number | null, exact: number) =>
  estimate !== null &&
  Math.abs(estimate - exact) <= LATENCY_SKETCH_RELATIVE_ACCURACY * Math.abs(exact) * (1 + 1e-12);

const durations = fc.oneof(
  fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 100_000 }),
  fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }),
);
const percentiles = fc.oneof(
  fc.constantFrom(0, 50, 95, 99, 100),
  fc.double({ min: 0, max: 100, noNaN: true }),
);

describe('LatencySketch', () => {
  it('is empty before any value: no percentile, no bounds', () => {
    const s = new LatencySketch();
    expect([s.count, s.min, s.max, s.percentile(50)]).toEqual([0, null, null, null]);
  });

  it('reports every percentile within 1% of the exact nearest-rank value (property)', () => {
    fc.assert(
      fc.property(fc.array(durations, { minLength: 1, maxLength: 400 }), percentiles, (values, p) =>
        withinAccuracy(sketchOf(values).percentile(p), exactPercentile(values, p)),
      ),
      { numRuns: 500 },
    );
  });

  it('keeps 1% on a large skewed latency distribution (p50, p95, p99)', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from(
      { length: 100_000 },
      () => Math.exp(random() * 12) * (random() < 0.01 ? 50 : 1),
    );
    const s = sketchOf(values);
    for (const p of [50, 90, 95, 99, 99.9]) {
      expect(withinAccuracy(s.percentile(p), exactPercentile(values, p))).toBe(true);
    }
    expect(s.percentile(100)).toBe(Math.max(...values));
    expect(s.encode().length).toBeLessThan(4_000);
  });

  it('gives the value at any rank within 1% (property)', () => {
    fc.assert(
      fc.property(fc.array(durations, { minLength: 1, maxLength: 300 }), fc.nat(400), (values, r) => {
        const rank = Math.min(r, values.length - 1);
        const exact = Float64Array.from(values).sort()[rank]!;
        return withinAccuracy(sketchOf(values).atRank(rank), exact);
      }),
    );
  });

  it('merging the sketches of parts equals the sketch of the whole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(durations, { maxLength: 50 }), { minLength: 1, maxLength: 8 }),
        (parts) => {
          const merged = new LatencySketch();
          for (const part of parts) merged.merge(sketchOf(part));
          const whole = sketchOf(parts.flat());
          expect(merged.encode()).toEqual(whole.encode());
        },
      ),
    );
  });

  it('round-trips through its bytes (property)', () => {
    fc.assert(
      fc.property(fc.array(durations, { maxLength: 200 }), (values) => {
        const s = sketchOf(values);
        const back = LatencySketch.decode(s.encode());
        expect(back.encode()).toEqual(s.encode());
        expect([back.count, back.min, back.max, back.percentile(95)]).toEqual([
          s.count,
          s.min,
          s.max,
          s.percentile(95),
        ]);
      }),
    );
  });

  it('ignores non-finite values and non-positive counts; exact for zero and repeated counts', () => {
    const s = new LatencySketch();
    s.add(Number.NaN);
    s.add(Number.POSITIVE_INFINITY);
    s.add(5, 0);
    s.add(0, 3);
    s.add(10, 1);
    expect([s.count, s.percentile(50), s.percentile(75), s.percentile(100)]).toEqual([4, 0, 0, 10]);
  });

  it('rejects bytes that are not an encoded sketch with a typed error saying why', () => {
    const good = sketchOf([1, 2, 3, 1000]).encode();
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(), /end too early/],
      [Uint8Array.of(9), /format 9, expected 1/],
      [good.slice(0, good.length - 1), /end too early/],
      [Uint8Array.of(...good, 0), /after its end/],
      [Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /exceeds 2\^53/],
    ];
    const wrongCount = good.slice();
    wrongCount[1] = 9;
    cases.push([wrongCount, /hold 4 values, its header says 9/]);
    for (const [bytes, message] of cases) {
      expect(() => LatencySketch.decode(bytes)).toThrow(SketchFormatError);
      expect(() => LatencySketch.decode(bytes)).toThrow(message);
    }
    try {
      LatencySketch.decode(Uint8Array.of(2));
    } catch (error) {
      expect((error as SketchFormatError).code).toBe('OBS_SKETCH_FORMAT');
    }
  });

  it('rejects random garbage without crashing or hanging (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          LatencySketch.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SketchFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
