import { SketchFormatError } from './sketch-format-error.js';

/**
 * Relative accuracy of {@link LatencySketch}: every quantile it reports is within 1% of the exact
 * value at that rank (for values of either sign; zero is exact).
 */
export const LATENCY_SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + LATENCY_SKETCH_RELATIVE_ACCURACY) / (1 - LATENCY_SKETCH_RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** The value that stands for bucket `i` (holding `(γ^(i-1), γ^i]`): within α of all of them. */
const bucketValue = (i: number) => (2 * GAMMA ** i) / (GAMMA + 1);
const bucketIndex = (magnitude: number) => Math.ceil(Math.log(magnitude) / LN_GAMMA);

/** First byte of an encoded sketch. */
const FORMAT_VERSION = 1;
/** Largest count a bucket may hold when decoded: counts stay exact doubles. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A mergeable quantile sketch of durations in the manner of DDSketch (Masson et al., VLDB 2019):
 * values fall in logarithmic buckets of ratio γ = (1 + α) / (1 − α) with α =
 * {@link LATENCY_SKETCH_RELATIVE_ACCURACY}, so the sketch of any set of events is the bucket-wise sum
 * of the sketches of its parts, and a quantile read from it is within α of the exact one. Exact
 * `min` and `max` are kept and bound every answer. Size grows with the log of the value range
 * (about 115 buckets per factor of 10), never with the count.
 */
export class LatencySketch {
  /** Count per bucket index of positive values. */
  readonly #positive = new Map<number, number>();
  /** Count per bucket index of the magnitudes of negative values. */
  readonly #negative = new Map<number, number>();
  #zero = 0;
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  /** Values added (non-finite values are ignored and not counted). */
  get count(): number {
    return this.#count;
  }

  /** Smallest value added, or null when empty. */
  get min(): number | null {
    return this.#count === 0 ? null : this.#min;
  }

  /** Largest value added, or null when empty. */
  get max(): number | null {
    return this.#count === 0 ? null : this.#max;
  }

  /** Adds `value` (`count` times); NaN and ±Infinity are ignored. */
  add(value: number, count = 1): void {
    if (!Number.isFinite(value) || count <= 0) return;
    if (value > 0) bump(this.#positive, bucketIndex(value), count);
    else if (value < 0) bump(this.#negative, bucketIndex(-value), count);
    else this.#zero += count;
    this.#count += count;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds every value of `other` to this sketch (the sketch of the union of both sets). */
  merge(other: LatencySketch): void {
    if (other.#count === 0) return;
    for (const [i, n] of other.#positive) bump(this.#positive, i, n);
    for (const [i, n] of other.#negative) bump(this.#negative, i, n);
    this.#zero += other.#zero;
    this.#count += other.#count;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /**
   * The nearest-rank `p`th percentile (0–100), as `percentile` over the sorted values would give
   * it (the value at rank `ceil(p/100 · n)`), within α relative error; null when empty.
   */
  percentile(p: number): number | null {
    if (this.#count === 0) return null;
    return this.atRank(Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.#count) - 1);
  }

  /**
   * The value at 0-based `rank` in ascending order (0 is the smallest), within α relative error, so
   * the exact value there is at least `atRank(rank) / (1 + α)` when positive; null when empty.
   */
  atRank(rank: number): number | null {
    if (this.#count === 0) return null;
    return this.#clamp(this.#valueAtRank(Math.min(this.#count - 1, Math.max(0, Math.floor(rank)))));
  }

  /** The sketch as compact bytes (varint bucket deltas), for a BLOB / bytea column or a file. */
  encode(): Uint8Array {
    const out = new ByteWriter();
    out.byte(FORMAT_VERSION);
    out.varint(this.#count);
    if (this.#count === 0) return out.bytes();
    out.float64(this.#min);
    out.float64(this.#max);
    out.varint(this.#zero);
    writeStore(out, this.#positive);
    writeStore(out, this.#negative);
    return out.bytes();
  }

  /** A sketch from {@link LatencySketch.encode}'s bytes; throws {@link SketchFormatError} on anything else. */
  static decode(bytes: Uint8Array): LatencySketch {
    const input = new ByteReader(bytes);
    const version = input.byte();
    if (version !== FORMAT_VERSION) {
      throw new SketchFormatError(`latency sketch format ${version}, expected ${FORMAT_VERSION}`);
    }
    const sketch = new LatencySketch();
    const count = input.varint();
    if (count === 0) {
      input.end();
      return sketch;
    }
    const min = input.float64();
    const max = input.float64();
    if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
      throw new SketchFormatError(`latency sketch bounds [${min}, ${max}] are not finite and ordered`);
    }
    sketch.#zero = input.varint();
    const total = sketch.#zero + readStore(input, sketch.#positive) + readStore(input, sketch.#negative);
    input.end();
    if (total !== count) {
      throw new SketchFormatError(`latency sketch buckets hold ${total} values, its header says ${count}`);
    }
    sketch.#count = count;
    sketch.#min = min;
    sketch.#max = max;
    return sketch;
  }

  #valueAtRank(rank: number): number {
    let seen = 0;
    for (const i of [...this.#negative.keys()].sort((a, b) => b - a)) {
      seen += this.#negative.get(i)!;
      if (seen > rank) return -bucketValue(i);
    }
    seen += this.#zero;
    if (seen > rank) return 0;
    for (const i of [...this.#positive.keys()].sort((a, b) => a - b)) {
      seen += this.#positive.get(i)!;
      if (seen > rank) return bucketValue(i);
    }
    return this.#max;
  }

  #clamp(value: number): number {
    return Math.min(this.#max, Math.max(this.#min, value));
  }
}

function bump(store: Map<number, number>, index: number, count: number): void {
  store.set(index, (store.get(index) ?? 0) + count);
}

function writeStore(out: ByteWriter, store: ReadonlyMap<number, number>): void {
  const indexes = [...store.keys()].sort((a, b) => a - b);
  out.varint(indexes.length);
  let previous = 0;
  for (const i of indexes) {
    out.varint(zigzag(i - previous));
    out.varint(store.get(i)!);
    previous = i;
  }
}

function readStore(input: ByteReader, store: Map<number, number>): number {
  const n = input.varint();
  let index = 0;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const delta = unzigzag(input.varint());
    if (k > 0 && delta <= 0) throw new SketchFormatError('latency sketch bucket indexes are not ascending');
    index += delta;
    const count = input.varint();
    if (count === 0) throw new SketchFormatError('latency sketch has an empty bucket');
    store.set(index, count);
    total += count;
  }
  return total;
}

const zigzag = (n: number) => (n >= 0 ? 2 * n : -2 * n - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** Little-endian bytes with LEB128 varints (arithmetic, so counts up to 2^53 stay exact). */
class ByteWriter {
  #buf = new Uint8Array(64);
  #view = new DataView(this.#buf.buffer);
  #at = 0;

  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#at++] = b;
  }

  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  float64(x: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#at, x, true);
    this.#at += 8;
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    next.set(this.#buf);
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}

class ByteReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  byte(): number {
    if (this.#at >= this.#buf.length) throw new SketchFormatError('latency sketch bytes end too early');
    return this.#buf[this.#at++]!;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (n > MAX_COUNT) throw new SketchFormatError('latency sketch varint exceeds 2^53');
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  }

  float64(): number {
    if (this.#at + 8 > this.#buf.length) throw new SketchFormatError('latency sketch bytes end too early');
    const x = this.#view.getFloat64(this.#at, true);
    this.#at += 8;
    return x;
  }

  end(): void {
    if (this.#at !== this.#buf.length) {
      throw new SketchFormatError(`latency sketch has ${this.#buf.length - this.#at} bytes after its end`);
    }
  }
}
