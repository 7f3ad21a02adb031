const NS_PER_MS = 1_000_000n;
const MAX_MS = 253_402_300_799_999;
/** The last nanosecond time of the year 9999. */
const MAX_NS = BigInt(MAX_MS) * NS_PER_MS + 999_999n;

let lastMs = Number.NaN;
let lastIso = '';

/** ISO 8601 UTC (milliseconds) of a nanosecond time; undefined outside the envelope's years 0-9999. */
export function isoOfNanos(ns: bigint): string | undefined {
  if (!inIsoRange(ns)) return undefined;
  const ms = Number(ns / NS_PER_MS);
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** True when an ISO timestamp can be written for the nanosecond time (years 1970-9999). */
export const inIsoRange = (ns: bigint): boolean => ns >= 0n && ns <= MAX_NS;

/** Milliseconds between two nanosecond times, with the sub-millisecond part kept as a fraction. */
export const millisBetween = (start: bigint, end: bigint): number => Number(end - start) / 1e6;

/** Milliseconds of a nanosecond time. */
export const millisOfNanos = (ns: bigint): number => Number(ns / NS_PER_MS);

/** Nanoseconds since the epoch of a whole-millisecond time, exactly. */
export const nanosOfEpochMillis = (ms: number): bigint => BigInt(Math.trunc(ms)) * NS_PER_MS;

/** Nanoseconds of a duration in milliseconds (fractions kept down to 1 ns). */
export const nanosOfDuration = (ms: number): bigint => BigInt(Math.round(ms * 1e6));
