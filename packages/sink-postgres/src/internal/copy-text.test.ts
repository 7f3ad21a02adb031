import { expect, it } from 'vitest';
import { copyField, copyRow } from './copy-text.js';

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
