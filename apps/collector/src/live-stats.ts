import type { Envelope, EventRecord, Sink } from '@obs/core';

/** What `GET /v1/stats` reports about the events this collector accepted since it started. */
export interface LiveStatsSnapshot {
  total: number;
  successes: number;
  failures: number;
  by_source: Record<string, number>;
  by_type: Record<string, number>;
  recent: Envelope[];
}

/** An in-process sink that keeps running counters and the most recent events (bounded). */
export interface LiveStatsSink extends Sink {
  snapshot(): LiveStatsSnapshot;
}

/** Creates the live counters sink; `recent` keeps the last `recentSize` events (default 50). */
export function createLiveStatsSink(recentSize = 50): LiveStatsSink {
  let total = 0;
  let successes = 0;
  let failures = 0;
  const bySource = new Map<string, number>();
  const byType = new Map<string, number>();
  const recent: Envelope[] = [];
  const bump = (map: Map<string, number>, key: string) => {
    if (map.has(key) || map.size < 10_000) map.set(key, (map.get(key) ?? 0) + 1);
  };
  return {
    name: 'live-stats',
    write(batch: readonly EventRecord[]) {
      for (const { envelope } of batch) {
        total++;
        if (envelope.status === 'ok') successes++;
        else if (envelope.status === 'error') failures++;
        bump(bySource, envelope.source);
        bump(byType, envelope.event_type);
        recent.push(envelope);
      }
      if (recent.length > recentSize) recent.splice(0, recent.length - recentSize);
    },
    flush() {},
    close() {},
    snapshot: () => ({
      total,
      successes,
      failures,
      by_source: Object.fromEntries(bySource),
      by_type: Object.fromEntries(byType),
      recent: recent.slice().reverse(),
    }),
  };
}
