import { describe, expect, it } from 'vitest';
import { summarizeDrops } from './drop-summary.js';

const event = (payload: Record<string, unknown>, timestamp = '2026-01-01T00:00:10.000Z') =>
  ({ event_type: 'obs.dropped', timestamp, payload }) as never;

describe('summarizeDrops', () => {
  it('sums the periods per sink and reason, the sink that lost most first, with the latest total', () => {
    const summary = summarizeDrops([
      event({
        sink: 'stream',
        counts: { drop_newest: 5 },
        lost: 5,
        total_lost: 5,
        to: '2026-01-01T00:00:10.000Z',
      }),
      event({
        sink: 'archive',
        counts: { write_failed: 2 },
        lost: 2,
        total_lost: 9,
        to: '2026-01-01T00:00:05.000Z',
      }),
      event({
        sink: 'stream',
        counts: { drop_newest: 1, drop_oldest: 3 },
        lost: 4,
        total_lost: 9,
        to: '2026-01-01T00:00:20.000Z',
      }),
    ]);
    expect(summary).toEqual([
      {
        sink: 'stream',
        lost: 9,
        reasons: { drop_newest: 6, drop_oldest: 3 },
        lastAt: '2026-01-01T00:00:20.000Z',
        totalLost: 9,
      },
      {
        sink: 'archive',
        lost: 2,
        reasons: { write_failed: 2 },
        lastAt: '2026-01-01T00:00:05.000Z',
        totalLost: 9,
      },
    ]);
  });

  it('counts what it can of a payload of another shape, and ignores other event types', () => {
    const summary = summarizeDrops([
      event({ sink: 7, counts: 'lots', lost: -3 }),
      event({ counts: { x: '1', y: 2 }, lost: Number.NaN }),
      { event_type: 'log', timestamp: 't', payload: { sink: 'nope', lost: 100 } } as never,
    ]);
    expect(summary).toEqual([
      { sink: '?', lost: 0, reasons: { x: 0, y: 2 }, lastAt: '2026-01-01T00:00:10.000Z', totalLost: 0 },
    ]);
  });
});
