import { ObsConfigError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { loadCollectorConfig } from './config.js';

describe('collector PostgreSQL configuration', () => {
  it('OBS_POSTGRES_URL adds PostgreSQL next to the mode; OBS_MODE=postgres writes only there', () => {
    const url = 'postgres://obs:s3cret@db.internal:5432/obs';
    const dual = loadCollectorConfig({ OBS_POSTGRES_URL: url, OBS_POSTGRES_SSL: 'no-verify' });
    expect(dual.stores).toEqual({ sqlite: true, jsonl: true });
    expect(dual.postgres).toEqual({ url, schema: 'obs', ssl: { rejectUnauthorized: false }, connections: 1 });
    const only = loadCollectorConfig({
      OBS_MODE: 'postgres',
      OBS_POSTGRES_URL: url,
      OBS_POSTGRES_SCHEMA: 'agents',
    });
    expect(only.stores).toEqual({ sqlite: false, jsonl: false });
    expect(only.postgres?.schema).toBe('agents');
    expect(loadCollectorConfig({}).postgres).toBeUndefined();
  });

  it('names the variable of a bad value, without echoing a password', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadCollectorConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ObsConfigError);
        return (error as Error).message;
      }
      throw new Error('expected an ObsConfigError');
    };
    const message = bad({ OBS_POSTGRES_URL: 'mysql://root:hunter2@db/x' });
    expect(message).toContain('OBS_POSTGRES_URL');
    expect(message).not.toContain('hunter2');
    expect(bad({ OBS_MODE: 'postgres' })).toContain('OBS_POSTGRES_URL');
    expect(bad({ OBS_POSTGRES_URL: 'postgres://h/d', OBS_POSTGRES_SCHEMA: 'Robert"; DROP' })).toContain(
      'OBS_POSTGRES_SCHEMA',
    );
    expect(bad({ OBS_POSTGRES_URL: 'postgres://h/d', OBS_POSTGRES_SSL: 'maybe' })).toContain(
      'OBS_POSTGRES_SSL',
    );
  });
});
