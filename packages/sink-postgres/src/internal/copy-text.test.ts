import { expect, it } from 'vitest';
import { CopyBuffer, copyField, copyRow } from './copy-text.js';

it('escapes what COPY text gives a meaning: backslash, newline, carriage return, tab; null is \\N', () => {
  expect(copyField(null)).toBe('\\N');
  expect(copyField(12.5)).toBe('12.5');
  expect(copyField('plain')).toBe('plain');
  expect(copyField('a\\b')).toBe('a\\\\b');
  expect(copyField('{"q":"say \\"hi\\""}')).toBe('{"q":"say \\\\"hi\\\\""}');
  expect(copyField('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
  expect(copyField('\\N\n\\')).toBe('\\\\N\\n\\\\');
  expect(copyField('\\N')).not.toBe('\\N');
});

it('joins a row with tabs and ends it with a newline', () => {
  expect(copyRow(['a\tb', 1, null])).toBe('a\\tb\t1\t\\N\n');
});

it('a COPY buffer holds the UTF-8 of every row appended, growing past its first size', () => {
  const buffer = new CopyBuffer(1024);
  const rows = Array.from({ length: 400 }, (_, i) => copyRow([`é${i}`, '日本', i, null]));
  for (const row of rows) buffer.append(row);
  const bytes = buffer.bytes();
  expect(new TextDecoder().decode(bytes)).toBe(rows.join(''));
  expect(bytes.byteOffset).toBe(0);
  expect(bytes.buffer.byteLength).toBeGreaterThan(1024);
});

it('a COPY buffer fills to its last byte before growing', () => {
  const buffer = new CopyBuffer(1024);
  buffer.append('a'.repeat(1000));
  buffer.append('b'.repeat(24));
  expect(buffer.bytes().buffer.byteLength).toBe(1024);
  expect(buffer.bytes().byteLength).toBe(1024);
  buffer.append('c');
  expect(buffer.bytes().buffer.byteLength).toBe(2048);
  expect(new TextDecoder().decode(buffer.bytes())).toBe(`${'a'.repeat(1000)}${'b'.repeat(24)}c`);
});
