import { describe, expect, it } from 'vitest';
import type { FilterFields } from './filter.js';
import { RingBuffer } from './ring-buffer.js';

const fields = (i: number): FilterFields => ({
  event_type: i % 2 === 0 ? 'llm.call' : 'tool.call',
  run_id: `run-${i % 3}`,
  session_id: i % 5 === 0 ? null : `s-${i}`,
  audit_level: 'turn',
});
const json = (i: number, pad = 0) => JSON.stringify({ seq: i, text: `é😀${'x'.repeat(pad)}` });
const held = (ring: RingBuffer, since = 0) => [...ring.after(since)];

describe('RingBuffer', () => {
  it('keeps the newest `capacity` events with their fields and exact JSON, multi-byte text included', () => {
    const ring = new RingBuffer(5, 1_000_000);
    for (let i = 1; i <= 12; i++) ring.push(i, fields(i), json(i));
    expect(ring.size).toBe(5);
    expect(ring.oldestSeq).toBe(8);
    expect(held(ring)).toEqual([8, 9, 10, 11, 12].map((i) => ({ seq: i, fields: fields(i), json: json(i) })));
    expect(held(ring, 10).map((item) => item.seq)).toEqual([11, 12]);
    expect(ring.bytes).toBe([8, 9, 10, 11, 12].reduce((n, i) => n + Buffer.byteLength(json(i)), 0));
  });

  it('bounds the held UTF-8 bytes, and still holds one event larger than the bound', () => {
    const ring = new RingBuffer(100, 300);
    for (let i = 1; i <= 40; i++) ring.push(i, fields(i), json(i, 60));
    expect(ring.bytes).toBeLessThanOrEqual(300);
    expect(held(ring).map((item) => item.json)).toEqual(
      Array.from({ length: ring.size }, (_, k) => json(40 - ring.size + 1 + k, 60)),
    );
    ring.push(41, fields(41), json(41, 5_000));
    expect(held(ring)).toEqual([{ seq: 41, fields: fields(41), json: json(41, 5_000) }]);
    ring.push(42, fields(42), json(42));
    expect(held(ring).map((item) => item.seq)).toEqual([42]);
  });

  it('reuses its slabs: events written across many slabs read back intact', () => {
    const ring = new RingBuffer(300, 64 * 1024 * 4);
    const event = (i: number) => json(i, 1_000 + (i % 700));
    for (let i = 1; i <= 5_000; i++) {
      ring.push(i, fields(i), event(i));
      if (i % 997 === 0) expect(held(ring).every((item) => item.json === event(item.seq))).toBe(true);
    }
    const items = held(ring);
    expect(items.length).toBe(ring.size);
    expect(items.at(-1)!.seq).toBe(5_000);
    for (const item of items)
      expect(item).toEqual({ seq: item.seq, fields: fields(item.seq), json: event(item.seq) });
  });

  it('holds nothing with a capacity of 0', () => {
    const ring = new RingBuffer(0, 1_000);
    ring.push(1, fields(1), json(1));
    expect(ring.size).toBe(0);
    expect(ring.oldestSeq).toBeUndefined();
    expect(held(ring)).toEqual([]);
  });
});
