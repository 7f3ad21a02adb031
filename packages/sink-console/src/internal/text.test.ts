import { describe, expect, it } from 'vitest';
import { compactJson, sanitize, textWidth, truncate } from './text.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('sanitize', () => {
  it('turns line breaks and tabs into spaces and other control characters into U+FFFD', () => {
    expect(sanitize('a\nb\r\nc\td\u2028e')).toBe('a b  c d e');
    expect(sanitize('\x1b[31mred\x1b[0m \x07')).toBe('\ufffd[31mred\ufffd[0m \ufffd');
    expect(sanitize('\x9b2J')).toBe('\ufffd2J'); // the one-byte CSI of C1
  });

  it('removes bidi overrides that would reorder what the line shows', () => {
    expect(sanitize('user\u202Egnp.exe')).toBe('user\ufffdgnp.exe');
  });

  it('returns safe text unchanged', () => {
    const text = 'plain → 步骤 😀';
    expect(sanitize(text)).toBe(text);
  });
});

describe('textWidth', () => {
  it('counts columns: wide characters and emoji take two, combining marks none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('步骤')).toBe(4);
    expect(textWidth('😀')).toBe(2);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('└─→…')).toBe(4);
  });
});

describe('truncate', () => {
  it('cuts to the columns with an ellipsis and leaves text that fits alone', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('步骤步骤', 5)).toBe('步骤…');
    expect(truncate('abc', 0)).toBe('');
  });

  it('never splits a surrogate pair and never exceeds the columns, at any cut', () => {
    const text = `a😀b𝒳步${'😀'.repeat(10)}x`;
    for (let columns = 1; columns <= textWidth(text) + 1; columns++) {
      const cut = truncate(text, columns);
      expect(cut).not.toMatch(LONE_SURROGATE);
      expect(textWidth(cut)).toBeLessThanOrEqual(columns);
    }
  });
});

describe('compactJson', () => {
  it('is JSON for small values', () => {
    const value = { q: 'x "y"', n: [1, null, true], o: {} };
    expect(compactJson(value, 100)).toBe(JSON.stringify(value));
  });

  it('stops soon after max characters, however large the value', () => {
    const huge = { items: Array.from({ length: 100_000 }, (_, i) => ({ i, text: 'x'.repeat(100) })) };
    const text = compactJson(huge, 50);
    expect(text.length).toBe(51);
    expect(text.endsWith('…')).toBe(true);
    expect(compactJson({ s: 'y'.repeat(1_000_000) }, 20)).toHaveLength(21);
  });

  it('shows nesting past four levels as an ellipsis', () => {
    expect(compactJson({ a: { b: { c: { d: { e: 1 } } } } }, 100)).toBe('{"a":{"b":{"c":{"d":{…}}}}}');
  });
});
