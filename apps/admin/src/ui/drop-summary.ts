import type { StoredEvent } from '@obs/read-store';

type Envelope = StoredEvent['envelope'];

/** What one sink lost, summed over the `obs.dropped` events of a window. */
export interface SinkDrops {
  sink: string;
  lost: number;
  /** Events lost per reason (`drop_newest`, `write_failed`…). */
  reasons: Record<string, number>;
  /** End of the latest reported period. */
  lastAt: string;
  /** Lost since that sink's service started, as of the latest report. */
  totalLost: number;
}

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

/**
 * Sums `obs.dropped` events per sink, the sink that lost the most first. Pure, and tolerant: a
 * payload that is not the shape core writes (an older or foreign writer) counts what it can.
 */
export function summarizeDrops(events: readonly Envelope[]): SinkDrops[] {
  const bySink = new Map<string, SinkDrops>();
  for (const event of events) {
    if (event.event_type !== 'obs.dropped') continue;
    const p = event.payload;
    const sink = typeof p['sink'] === 'string' ? p['sink'] : '?';
    const to = typeof p['to'] === 'string' ? p['to'] : event.timestamp;
    let entry = bySink.get(sink);
    if (entry === undefined) {
      entry = { sink, lost: 0, reasons: {}, lastAt: to, totalLost: 0 };
      bySink.set(sink, entry);
    }
    entry.lost += count(p['lost']);
    const counts = p['counts'];
    if (typeof counts === 'object' && counts !== null) {
      for (const [reason, n] of Object.entries(counts))
        entry.reasons[reason] = (entry.reasons[reason] ?? 0) + count(n);
    }
    if (to >= entry.lastAt) {
      entry.lastAt = to;
      entry.totalLost = Math.max(entry.totalLost, count(p['total_lost']));
    }
  }
  return [...bySink.values()].sort((a, b) => b.lost - a.lost || a.sink.localeCompare(b.sink));
}
