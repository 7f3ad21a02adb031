import { describe, expect, it } from 'vitest';
import { parseTrailFileName, sanitizeEventTypeFileName, trailFileName } from './file-names.js';

describe('sanitizeEventTypeFileName', () => {
  it('keeps a valid event type as it is', () => {
    expect(sanitizeEventTypeFileName('tool.call')).toBe('tool.call');
    expect(sanitizeEventTypeFileName('my_app.step_2')).toBe('my_app.step_2');
  });

  const hostile = [
    '../x',
    '../../etc/passwd',
    '/etc/passwd',
    'a/b',
    'a\\b',
    '..',
    '.',
    '',
    'a\u0000b',
    'x'.repeat(5000),
    'ｔｏｏｌ．ｃａｌｌ',
    'tool\u2024call',
    'tool\u200b.call',
    'C:\\evil',
    'a-b',
    '.hidden',
  ];
  it.each(hostile)('keeps %j inside the directory', (type) => {
    const stem = sanitizeEventTypeFileName(type);
    expect(stem).toMatch(/^[a-z0-9_][a-z0-9_.]*(-[0-9a-f]{12})?$/);
    expect(stem).not.toContain('..');
    expect(stem.length).toBeLessThanOrEqual(113);
    expect(parseTrailFileName(trailFileName(stem))?.stem).toBe(stem);
  });

  it('never maps two event types to one stem', () => {
    const stems = new Set(
      [...hostile, 'a_b', 'etc_passwd', '_etc_passwd', 'x'.repeat(100)].map(sanitizeEventTypeFileName),
    );
    expect(stems.size).toBe(hostile.length + 4);
  });
});

describe('trail file names', () => {
  it('sort in time order and parse back', () => {
    const names = [
      trailFileName('events', Date.UTC(2026, 0, 2, 3, 4, 5, 6), 0),
      trailFileName('events', Date.UTC(2026, 0, 2, 3, 4, 5, 6), 1),
      trailFileName('events', Date.UTC(2026, 0, 2, 3, 4, 5, 7), 0),
      trailFileName('events', Date.UTC(2027, 0, 1), 0),
    ];
    expect(names[0]).toBe('events.20260102T030405006Z-000.jsonl');
    expect([...names].reverse().sort()).toEqual(names);
    const parsed = names.map((n) => parseTrailFileName(n)!);
    expect(parsed.map((p) => p.stem)).toEqual(['events', 'events', 'events', 'events']);
    expect([...parsed].reverse().sort((a, b) => a.order.localeCompare(b.order))).toEqual(parsed);
    expect(parseTrailFileName(`${names[0]}.gz`)).toMatchObject({
      key: names[0],
      gzip: true,
      stamp: '20260102T030405006Z',
    });
  });

  it('treat a stem with dots and an unstamped file', () => {
    expect(parseTrailFileName('tool.call.jsonl')).toMatchObject({
      stem: 'tool.call',
      stamp: null,
      order: '0',
    });
    expect(parseTrailFileName('tool.call.20260102T030405006Z-002.jsonl')).toMatchObject({
      stem: 'tool.call',
      counter: 2,
    });
    expect(parseTrailFileName('notes.txt')).toBeUndefined();
    expect(parseTrailFileName('events.jsonl.gz.tmp')).toBeUndefined();
  });
});
