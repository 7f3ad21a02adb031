import { fileURLToPath } from 'node:url';
import { serializeEnvelope } from '@obs/core';
import { describeSinkContract, makeRecord } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { createLiveStatsSink } from './live-stats.js';

describeSinkContract(
  'collector live stats',
  () => {
    const sink = createLiveStatsSink({ recentSize: 1_000 });
    // what GET /v1/stats shows: `recent`, newest first
    return { sink, stored: async () => sink.snapshot().recent.map(serializeEnvelope).reverse() };
  },
  {
    test: { describe, it, expect },
    bytes: { unsupported: 'keeps envelopes for GET /v1/stats, not their text' },
    redelivery: {
      unsupported:
        'its write never fails while open, so no batch is re-sent; one that were would be counted twice (live counters, not the audit trail)',
    },
    badOptions: {
      create: (options) => createLiveStatsSink(options as never),
      options: { recentSize: 0, name: '', colour: 'red' },
      keys: ['recentSize', 'name', 'colour'],
    },
    health: { unsupported: 'no health(): counters in memory have nothing to probe' },
    bareProcess: { module: fileURLToPath(new URL('../test-fixtures/contract-sink.mjs', import.meta.url)) },
  },
);

describe('createLiveStatsSink', () => {
  it('counts outcomes, sources and types, and keeps the most recent events, newest first', () => {
    const sink = createLiveStatsSink({ recentSize: 2 });
    const record = (seq: number, status: 'ok' | 'error' | null, source = 'a') =>
      makeRecord(seq, { status, source, event_type: seq % 2 ? 'log' : 'span' });
    sink.write([record(1, 'ok'), record(2, 'error', 'b'), record(3, null)]);
    expect(sink.snapshot()).toEqual({
      total: 3,
      successes: 1,
      failures: 1,
      by_source: { a: 2, b: 1 },
      by_type: { log: 2, span: 1 },
      recent: [expect.objectContaining({ seq: 3 }), expect.objectContaining({ seq: 2 })],
    });
  });
});
