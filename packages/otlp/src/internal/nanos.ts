const NS_PER_MS = 1_000_000n;

/** ISO 8601 UTC (milliseconds) of a nanosecond time; undefined outside the envelope's years 0-9999. */
export function isoOfNanos(ns: bigint): string | undefined {
  const ms = Number(ns / NS_PER_MS);
  if (ms < 0 || ms > 253_402_300_799_999) return undefined;
  return new Date(ms).toISOString();
}

/** Milliseconds between two nanosecond times, with the sub-millisecond part kept as a fraction. */
export const millisBetween = (start: bigint, end: bigint): number => Number(end - start) / 1e6;

/** Milliseconds of a nanosecond time. */
export const millisOfNanos = (ns: bigint): number => Number(ns / NS_PER_MS);

/** Nanoseconds since the epoch of a whole-millisecond time, exactly. */
export const nanosOfEpochMillis = (ms: number): bigint => BigInt(Math.trunc(ms)) * NS_PER_MS;

/** Nanoseconds of a duration in milliseconds (fractions kept down to 1 ns). */
export const nanosOfDuration = (ms: number): bigint => BigInt(Math.round(ms * 1e6));
