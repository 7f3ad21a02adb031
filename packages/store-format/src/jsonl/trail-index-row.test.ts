import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { isIndexUuid, uuidBytes } from './trail-index-row.js';

describe('uuidBytes', () => {
  it('writes the same 16 bytes as hex decoding, at the offset asked, touching nothing else', () => {
    const into = new Uint8Array(48).fill(0xaa);
    for (let i = 0; i < 2000; i++) {
      const id = i % 2 === 0 ? randomUUID() : uuidv7();
      expect(isIndexUuid(id)).toBe(true);
      uuidBytes(id, into, 16);
      expect(Buffer.from(into.subarray(16, 32)).toString('hex')).toBe(id.replaceAll('-', ''));
      expect(into.subarray(0, 16).every((b) => b === 0xaa)).toBe(true);
      expect(into.subarray(32).every((b) => b === 0xaa)).toBe(true);
    }
    uuidBytes('ffffffff-ffff-ffff-ffff-ffffffffffff', into, 0);
    expect(into.subarray(0, 16).every((b) => b === 0xff)).toBe(true);
  });

  it('tells UUIDs from other ids', () => {
    for (const id of ['', 'run-1', randomUUID().toUpperCase(), `${randomUUID()}0`, 'g'.repeat(36)])
      expect(isIndexUuid(id)).toBe(false);
  });
});
