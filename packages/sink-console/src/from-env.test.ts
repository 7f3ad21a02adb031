import { ObsConfigError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { consoleSinkFromEnv, isTraceEnabled } from './from-env.js';
import { TestStream } from './test/test-stream.js';

describe('OBS_TRACE', () => {
  it('turns the trace on with 1 or true; off when unset, empty, 0 or false', () => {
    expect(isTraceEnabled({ OBS_TRACE: '1' })).toBe(true);
    expect(isTraceEnabled({ OBS_TRACE: 'true' })).toBe(true);
    for (const off of [{}, { OBS_TRACE: '' }, { OBS_TRACE: '0' }, { OBS_TRACE: 'false' }])
      expect(isTraceEnabled(off)).toBe(false);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => isTraceEnabled({ OBS_TRACE: 'yes' })).toThrow(ObsConfigError);
    expect(() => isTraceEnabled({ OBS_TRACE: 'yes' })).toThrow(/OBS_TRACE: "yes": expected 1 or true/);
  });

  it('consoleSinkFromEnv gives the sink only when on, deciding colour from the same environment', () => {
    const stream = new TestStream({ isTTY: true });
    expect(consoleSinkFromEnv({}, { stream })).toBeUndefined();
    expect(consoleSinkFromEnv({ OBS_TRACE: '1' }, { stream })?.color).toBe(true);
    expect(consoleSinkFromEnv({ OBS_TRACE: '1', NO_COLOR: '1' }, { stream })?.color).toBe(false);
    expect(consoleSinkFromEnv({ OBS_TRACE: 'true' }, { stream, name: 'trace' })?.name).toBe('trace');
  });
});
