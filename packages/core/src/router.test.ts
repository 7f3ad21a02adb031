import { describe, expect, it } from 'vitest';
import { globsToRegExp } from './router.js';

describe('globsToRegExp', () => {
  it.each([
    [['llm.*'], 'llm.call', true],
    [['llm.*'], 'llmx.call', false],
    [['*.failed'], 'backup.failed', true],
    [['*'], 'anything.at.all', true],
    [['tool.call', 'tool.result'], 'tool.result', true],
    [['a.b'], 'aXb', false],
  ])('%j on %s is %s', (globs, type, expected) => {
    expect(globsToRegExp(globs).test(type)).toBe(expected);
  });
});
