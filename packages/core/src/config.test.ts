import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ObsConfigError } from './errors.js';

describe('loadConfig', () => {
  it('applies defaults and derives paths', () => {
    const config = loadConfig({ OBS_DATA_DIR: '/data', OBS_MODE: 'file_only' });
    expect(config).toMatchObject({
      mode: 'file_only',
      sqlitePath: '/data/events.db',
      jsonlDir: '/data/jsonl',
      stores: { sqlite: false, jsonl: true },
    });
    expect(loadConfig({}).stores).toEqual({ sqlite: true, jsonl: true });
  });

  it('names the variable, the value and what was expected', () => {
    let error: unknown;
    try {
      loadConfig({ OBS_MODE: 'both', OBS_QUEUE_CAPACITY: 'lots', OBS_STREAM_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ObsConfigError);
    const message = (error as Error).message;
    expect(message).toContain('OBS_MODE: "both": expected one of db_only, file_only, dual');
    expect(message).toContain('OBS_QUEUE_CAPACITY: "lots": expected a positive integer');
    expect(message).toContain('OBS_STREAM_TOKEN: (hidden)');
    expect(message).not.toContain('short');
  });

  it('ignores unrelated variables', () => {
    expect(() => loadConfig({ PATH: '/bin', OBS_OVERFLOW: 'drop-oldest' })).not.toThrow();
  });
});
