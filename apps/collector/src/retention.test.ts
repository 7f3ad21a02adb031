import { join } from 'node:path';
import { verifyTrail } from '@obs/store-format';
import { describe, expect, it } from 'vitest';
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
