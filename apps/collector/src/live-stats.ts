import {
  type Envelope,
  type EventRecord,
  OBS_ERROR_CODES,
  ObsError,
  parseOrThrow,
  type Sink,
} from '@obs/core';
import { z } from 'zod';

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

/** Zod schema of {@link LiveStatsSinkOptions}; unknown keys are rejected. */
export const LiveStatsSinkOptionsSchema = z.strictObject({
  name: z.string().min(1).max(128).default('live-stats'),
  recentSize: z.number().int('expected a whole number of events').min(1).max(100_000).default(50),
});

/** Options of {@link createLiveStatsSink}: its `name` and how many `recent` events it keeps. */
export type LiveStatsSinkOptions = z.input<typeof LiveStatsSinkOptionsSchema>;

/**
 * Creates the live counters sink; `recent` keeps the last `recentSize` events (default 50). Throws
 * `ObsValidationError` naming each bad option; a write after `close()` throws `OBS_CLOSED`.
 */
export function createLiveStatsSink(options: LiveStatsSinkOptions = {}): LiveStatsSink {
  const { name, recentSize } = parseOrThrow(LiveStatsSinkOptionsSchema, options, 'live stats sink options');
  let total = 0;
  let successes = 0;
  let failures = 0;
  let closed = false;
  const bySource = new Map<string, number>();
  const byType = new Map<string, number>();
  const recent: Envelope[] = [];
  const bump = (map: Map<string, number>, key: string) => {
    if (map.has(key) || map.size < 10_000) map.set(key, (map.get(key) ?? 0) + 1);
  };
  return {
    name,
    write(batch: readonly EventRecord[]) {
      if (closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, `live stats sink "${name}" is closed`);
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
    close() {
      closed = true;
    },
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
