import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability, type EventRecord, type Sink, serializeEnvelope } from '@obs/core';
import { EVENT_COLUMNS, migrateSqliteSchema } from '@obs/core/sqlite-schema';
import { createSqliteSink } from '@obs/sink-sqlite';
import Database from 'better-sqlite3';
import { type BenchRow, type BenchSuite, median, percentile } from '../harness.js';

const BATCH = 256; // the service default

/** A sink wrapper timing each `write`: the time it holds the event loop, since the sink writes synchronously. */
function timed(sink: Sink, times: number[]): Sink {
  return {
    name: sink.name,
    ...(sink.queueDefaults ? { queueDefaults: sink.queueDefaults } : {}),
    write(batch: readonly EventRecord[]) {
      const start = performance.now();
      const result = sink.write(batch);
      times.push(performance.now() - start);
      return result;
    },
    flush: () => sink.flush(),
    close: () => sink.close(),
  };
}

async function throughService(
  dir: string,
  n: number,
  blocks: number[],
  worker = false,
): Promise<{ rate: number; envelopes: unknown[] }> {
  const sink = createSqliteSink({ path: join(dir, worker ? 'worker.db' : 'service.db'), worker });
  const obs = createObservability({
    source: 'bench',
    sinks: [{ sink: timed(sink, blocks), queue: { batchSize: BATCH, capacity: 32_768, overflow: 'block' } }],
  });
  const envelopes: unknown[] = [];
  const start = performance.now();
  const RUN = 5_000;
  for (let first = 0; first < n; first += RUN) {
    // an agent run sets its context once; events inside inherit it
    const context = {
      run_id: `run-${first / RUN}`,
      session_id: `session-${Math.floor(first / 50_000)}`,
      turn_number: 1,
    };
    await obs.withContext(context, async () => {
      for (let i = first; i < Math.min(n, first + RUN); i++) {
        const env =
          i % 4 === 0
            ? obs.emit('llm.call', {
                provider: 'openai',
                model: 'gpt-x',
                prompt_tokens: 812,
                completion_tokens: 95,
                cost_usd: 0.0042,
                latency_ms: 840,
                finish_reason: 'stop',
                input: 'Summarise the ticket and propose the next tool call for the agent loop.',
                output: 'Call search_docs with query "refund policy", then draft a reply.',
              })
            : obs.emit('tool.call', {
                tool: 'search_docs',
                call_id: `c${i}`,
                arguments: { query: 'refund policy', limit: 5 },
              });
        if (i < 200_000) envelopes.push(env);
        if (i % 1_000 === 999) {
          // a host yields to I/O between bursts of work; without it no batch could be handed off
          await obs.ready();
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    });
  }
  await obs.flush();
  const rate = n / ((performance.now() - start) / 1000);
  await obs.shutdown();
  return { rate, envelopes };
}

function bareLoop(dir: string, envelopes: readonly unknown[]): number {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  migrateSqliteSchema(db);
  const insert = db.prepare(
    `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (event_id) DO NOTHING`,
  );
  const rows = envelopes.map((value) => {
    const e = value as Parameters<typeof serializeEnvelope>[0];
    return [
      e.event_id,
      e.schema_version,
      e.event_type,
      e.event_type === 'llm.call' ? 1 : 2,
      e.timestamp,
      Date.parse(e.timestamp),
      e.seq,
      e.source,
      1,
      e.run_id,
      Number(e.run_id.slice(4)) + 1,
      e.request_id,
      e.cycle,
      e.session_id,
      1,
      e.turn_number,
      e.parent_event_id,
      e.audit_level,
      e.status,
      e.duration_ms,
      serializeEnvelope(e),
    ];
  });
  const tx = db.transaction((batch: unknown[][]) => {
    for (const row of batch) insert.run(...row);
  });
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) tx.immediate(rows.slice(i, i + BATCH));
  const rate = rows.length / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

/** Events/s into sink-sqlite through the service, next to a bare better-sqlite3 loop on the same schema and batch size. */
export const sqliteSuite: BenchSuite = {
  name: 'sqlite',
  async run({ quick }) {
    const n = quick ? 40_000 : 200_000;
    const rounds = quick ? 1 : 3;
    const service: number[] = [];
    const bare: number[] = [];
    const blocks: number[] = [];
    const workerRates: number[] = [];
    const workerBlocks: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'obs-bench-sqlite-'));
      try {
        const { rate, envelopes } = await throughService(dir, n, blocks);
        service.push(rate);
        bare.push(bareLoop(dir, envelopes));
        workerRates.push((await throughService(dir, n, workerBlocks, true)).rate);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const s = median(service);
    const b = median(bare);
    const sorted = [...blocks].sort((x, y) => x - y);
    const sortedWorker = [...workerBlocks].sort((x, y) => x - y);
    return [
      {
        suite: 'sqlite',
        case: `service → sink-sqlite, ${n} events, batch ${BATCH}`,
        value: s,
        unit: 'events/s',
        peer: { name: `bare better-sqlite3, same schema, batch ${BATCH}`, value: b },
        ratio: s / b,
        target: '≥150k/s and ratio ≥ 0.67 (within 1.5×)',
      },
      {
        suite: 'sqlite',
        case: `event-loop block per batch of ${BATCH} (p50 / p99 / max ms)`,
        value: percentile(sorted, 99),
        unit: 'ms p99',
        note: `p50 ${percentile(sorted, 50).toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(2)} ms over ${sorted.length} batches`,
        target: '< 5 ms',
      },
      {
        suite: 'sqlite',
        case: `service → sink-sqlite { worker: true }, ${n} events, batch ${BATCH}`,
        value: median(workerRates),
        unit: 'events/s',
        peer: { name: `bare better-sqlite3, same schema, batch ${BATCH}`, value: b },
        ratio: median(workerRates) / b,
        note: `main-thread time per write p99 ${percentile(sortedWorker, 99).toFixed(2)} ms`,
        target: '≥150k/s and ratio ≥ 0.67 (within 1.5×)',
      },
    ] satisfies BenchRow[];
  },
};
