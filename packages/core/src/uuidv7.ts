import { randomFillSync } from 'node:crypto';

/** The two lower-case hex digits of each byte, as their character codes (first digit in the low byte). */
const HEX_CODES = Uint16Array.from({ length: 256 }, (_, i) => {
  const hex = i.toString(16).padStart(2, '0');
  return hex.charCodeAt(0) | (hex.charCodeAt(1) << 8);
});
/** The id's characters, written in place and read out as one flat string (no rope of 20 pieces). */
const text = Buffer.alloc(36, '-');
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let counter = 0;

function randomBytes(n: number): number {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += n;
  return at;
}

/** Matches a UUID of version 7 (RFC 9562) in lower-case canonical form. */
export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Returns a UUIDv7: 48-bit Unix milliseconds, then a 12-bit counter that keeps ids made in the
 * same millisecond in order within this process, then 62 random bits.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const ms = lastMs;
  const hi = Math.floor(ms / 0x10000);
  const lo = ms % 0x10000;
  const r = randomBytes(8);
  hex(0, (hi >>> 24) & 0xff);
  hex(2, (hi >>> 16) & 0xff);
  hex(4, (hi >>> 8) & 0xff);
  hex(6, hi & 0xff);
  hex(9, lo >>> 8);
  hex(11, lo & 0xff);
  hex(14, 0x70 | (counter >>> 8));
  hex(16, counter & 0xff);
  hex(19, 0x80 | (pool[r]! & 0x3f));
  hex(21, pool[r + 1]!);
  for (let i = 2; i < 8; i++) hex(20 + 2 * i, pool[r + i]!);
  return text.toString('latin1', 0, 36);
}

function hex(at: number, byte: number): void {
  const codes = HEX_CODES[byte]!;
  text[at] = codes & 0xff;
  text[at + 1] = codes >>> 8;
}
