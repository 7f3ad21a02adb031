import { describe, expect, it } from 'vitest';
import { compileFilter, StreamFilterSchema } from './filter.js';

const fields = (over: Partial<Parameters<ReturnType<typeof compileFilter>>[0]> = {}) => ({
  event_type: 'tool.call',
  run_id: 'r1',
  session_id: 's1' as string | null,
  audit_level: 'turn' as const,
  ...over,
});

describe('compileFilter', () => {
  it('matches everything when empty', () => {
    expect(compileFilter({})(fields())).toBe(true);
    expect(compileFilter()(fields({ session_id: null }))).toBe(true);
  });

  it('requires every given condition', () => {
    const match = compileFilter({
      types: ['llm.*', '*.failed'],
      run_ids: ['r1', 'r2'],
      audit_levels: ['turn'],
    });
    expect(match(fields({ event_type: 'llm.call' }))).toBe(true);
    expect(match(fields({ event_type: 'tool.failed' }))).toBe(true);
    expect(match(fields({ event_type: 'tool.call' }))).toBe(false);
    expect(match(fields({ event_type: 'llm.call', run_id: 'r3' }))).toBe(false);
    expect(match(fields({ event_type: 'llm.call', audit_level: 'export' as never }))).toBe(false);
  });

  it('does not match a null session against a session filter', () => {
    expect(compileFilter({ session_ids: ['s1'] })(fields({ session_id: null }))).toBe(false);
  });

  it('treats regex characters in globs literally', () => {
    expect(StreamFilterSchema.safeParse({ types: ['a.(b)'] }).success).toBe(false);
    expect(compileFilter({ types: ['tool.call'] })(fields({ event_type: 'toolxcall' }))).toBe(false);
  });
});
