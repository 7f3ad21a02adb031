import { join } from 'node:path';
import { verifyTrail } from '@obs/store-format';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { loadCollectorConfig } from './config.js';
import { post, sampleEvent, startTestCollector, storedEventIds } from './test/harness.js';

describe('retention (OBS_RETENTION)', () => {
  it('prunes events older than the retention from the store on its schedule; the trail still verifies', {
    timeout: 60_000,
  }, async () => {
    const { collector, dir, cleanup } = await startTestCollector({ OBS_RETENTION: '30d' });
    try {
      const old = Array.from({ length: 40 }, (_, i) => ({
        ...sampleEvent(i, 'run-old'),
        timestamp: '2025-01-01T00:00:00.000Z',
      }));
      const recent = Array.from({ length: 25 }, (_, i) => sampleEvent(100 + i, 'run-new'));
      expect((await post(`${collector.url}/v1/events`, [...old, ...recent])).status).toBe(200);
      await collector.pipeline.obs.flush();
      expect(storedEventIds(dir)).toHaveLength(65);
      await collector.retention!.runNow(); // the run started at boot may predate the events
      await collector.retention!.runNow();
      expect(storedEventIds(dir)).toHaveLength(25);
      expect((await verifyTrail(join(dir, 'jsonl'))).ok).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('prunes the PostgreSQL store too (OBS_MODE=postgres): old events, runs and rollups gone, runs recomputed', {
    timeout: 60_000,
  }, async () => {
    const schema = `retention_${process.pid}`;
    const url = inject('pgUrl');
    const { collector, cleanup } = await startTestCollector({
      OBS_MODE: 'postgres',
      OBS_POSTGRES_URL: url,
      OBS_POSTGRES_SCHEMA: schema,
      OBS_RETENTION: '30d',
    });
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      const old = Array.from({ length: 40 }, (_, i) => ({
        ...sampleEvent(i, i < 30 ? 'run-old' : 'run-both'),
        timestamp: '2025-01-01T00:00:00.000Z',
      }));
      const recent = Array.from({ length: 25 }, (_, i) =>
        sampleEvent(100 + i, i < 5 ? 'run-both' : 'run-new'),
      );
      expect((await post(`${collector.url}/v1/events`, [...old, ...recent])).status).toBe(200);
      await collector.pipeline.obs.flush();
      const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
      expect(await count('SELECT count(*) AS n FROM events')).toBe(65);
      const oldRollups =
        'SELECT coalesce(sum(event_count), 0) AS n FROM stats_rollups WHERE bucket_ts < 1735776000000';
      expect(await count(oldRollups)).toBe(120); // 40 events in each of three widths
      await collector.retention!.runNow(); // the run started at boot may predate the events
      await collector.retention!.runNow();
      expect(await count('SELECT count(*) AS n FROM events')).toBe(25);
      expect(await count("SELECT count(*) AS n FROM runs WHERE run_id = 'run-old'")).toBe(0);
      expect(await count("SELECT event_count AS n FROM runs WHERE run_id = 'run-both'")).toBe(5);
      expect(await count(oldRollups)).toBe(0);
    } finally {
      await client.end();
      await cleanup();
    }
  });

  it('OBS_RETENTION takes an age in hours or days; anything else names the variable', () => {
    expect(loadCollectorConfig({ OBS_RETENTION: '12h' }).retention).toEqual({
      maxAgeMs: 12 * 3_600_000,
      intervalMs: 3_600_000,
    });
    expect(loadCollectorConfig({}).retention).toBeUndefined();
    expect(() => loadCollectorConfig({ OBS_RETENTION: '30 days' })).toThrow(/OBS_RETENTION.*30d/);
    expect(() => loadCollectorConfig({ OBS_RETENTION: '1d', OBS_RETENTION_INTERVAL_MS: '5' })).toThrow(
      /OBS_RETENTION_INTERVAL_MS/,
    );
  });
});
