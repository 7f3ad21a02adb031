import type { Int64 } from './otlp-message.js';

/** The exact value of a 64-bit field as a bigint (unsigned for `fixed64` times). */
export function toBigInt(value: Int64 | undefined | null, unsigned = true): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : 0n;
  if (typeof value === 'string') return /^-?\d{1,20}$/.test(value) ? BigInt(value) : 0n;
  const wide = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return unsigned || value.unsigned ? wide : BigInt.asIntN(64, wide);
}

/** A signed 64-bit integer as a number when it is safe, else as its decimal text. */
export function toSafeNumber(value: Int64 | undefined | null): number | string {
  const wide = toBigInt(value, false);
  const n = Number(wide);
  return Number.isSafeInteger(n) ? n : wide.toString();
}
