import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createObservability, type Envelope, serializeEnvelope } from '@obs/core';
import { openPostgresReadStore } from '@obs/read-store';
import { createPostgresSink } from '@obs/sink-postgres';
import { startTestPostgres } from '@obs/sink-postgres/testing';
import { createSqliteSink } from '@obs/sink-sqlite';
import {
  ensurePostgresPartitions,
  migratePostgresSchema,
  POSTGRES_EVENT_COLUMNS,
  uuidv7Ms,
} from '@obs/store-format';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type BenchRow, type BenchSuite, median } from '../harness.js';
import { llmPayload } from '../workload.js';
import { fill, measureStore } from './read-store.js';

/** The sink's batch size (its `queueDefaults`); the bare loop copies batches of the same size. */
const BATCH = 1_000;

/** The same agent workload into any sink through the service with the sink's default queue; returns events/s. */
async function throughService(
  sink: Parameters<typeof createObservability>[0]['sinks'][number],
  n: number,
  keep: Envelope[],
): Promise<number> {
  const obs = createObservability({ source: 'bench', sinks: [sink] });
  const start = performance.now();
  const RUN = 5_000;
  for (let first = 0; first < n; first += RUN) {
    await obs.withContext(
      { run_id: `run-${first / RUN}`, session_id: 'session-1', turn_number: 1 },
      async () => {
        for (let i = first; i < Math.min(n, first + RUN); i++) {
          const env =
            i % 4 === 0
              ? obs.emit('llm.call', llmPayload(i), { status: 'ok', duration_ms: 300 + (i % 700) })
              : obs.emit('tool.call', {
                  tool: 'search_docs',
                  call_id: `c${i}`,
                  arguments: { query: 'refund', limit: 5 },
                });
          keep.push(env);
          if (i % 1_000 === 999) {
            await obs.ready();
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      },
    );
  }
  await obs.flush();
  const rate = n / ((performance.now() - start) / 1000);
  await obs.shutdown();
  return rate;
}

const copyValue = (v: string | number | null) =>
  v === null
    ? '\\N'
    : typeof v === 'number'
      ? String(v)
      : v.replace(/[\\\n\r\t]/g, (c) =>
          c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
        );

/**
 * The ceiling: the same rows `COPY`ed straight into `events` (same table, partitions and indexes;
 * JSON and COPY text made beforehand; no staging, no idempotency, no summaries, no rollups), one
 * transaction per batch of {@link BATCH}.
 */
async function bareCopy(url: string, schema: string, envelopes: readonly Envelope[]): Promise<number> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await migratePostgresSchema(client, schema);
  await ensurePostgresPartitions(client, [
    ...new Set(envelopes.map((e) => Math.floor(uuidv7Ms(e.event_id) / 86_400_000) * 86_400_000)),
  ]);
  const texts: string[] = [];
  for (let i = 0; i < envelopes.length; i += BATCH) {
    let text = '';
    for (const e of envelopes.slice(i, i + BATCH)) {
      const values = [
        e.event_id,
        Date.parse(e.timestamp),
        e.event_type,
        e.source,
        e.run_id,
        e.session_id,
        e.parent_event_id,
        e.audit_level,
        e.status,
        e.duration_ms,
        serializeEnvelope(e),
      ];
      text += `${values.map(copyValue).join('\t')}\n`;
    }
    texts.push(text);
  }
  const sql = `COPY events (${POSTGRES_EVENT_COLUMNS.join(', ')}) FROM STDIN`;
  const start = performance.now();
  for (const text of texts) {
    await client.query('BEGIN');
    await pipeline(
      async function* () {
        yield Buffer.from(text);
      },
      client.query(copyFrom(sql)),
    );
    await client.query('COMMIT');
  }
  const rate = envelopes.length / ((performance.now() - start) / 1000);
  await client.end();
  return rate;
}

/**
 * sink-postgres events/s next to a bare `COPY` loop of the same rows and next to sink-sqlite, then the
 * read paths of `@obs/read-store` on a 1M-event PostgreSQL store. The server is `OBS_BENCH_POSTGRES_URL`,
 * else a throwaway cluster (`fsync=off`, `synchronous_commit=off`: both sides alike).
 */
export const postgresSuite: BenchSuite = {
  name: 'postgres',
  async run({ quick }) {
    const own = process.env['OBS_BENCH_POSTGRES_URL'] ? undefined : await startTestPostgres();
    const url = process.env['OBS_BENCH_POSTGRES_URL'] ?? own!.url;
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-postgres-'));
    const rows: BenchRow[] = [];
    try {
      const n = quick ? 40_000 : 200_000;
      const rounds = quick ? 1 : 3;
      const rates = { sink: [] as number[], bare: [] as number[], sqlite: [] as number[] };
      for (let r = 0; r < rounds; r++) {
        const envelopes: Envelope[] = [];
        rates.sink.push(
          await throughService(createPostgresSink({ url, schema: `bench_sink_${r}` }), n, envelopes),
        );
        rates.bare.push(await bareCopy(url, `bench_bare_${r}`, envelopes));
        rates.sqlite.push(
          await throughService(createSqliteSink({ path: join(dir, `bench-${r}.db`) }), n, []),
        );
      }
      const sink = median(rates.sink);
      rows.push(
        {
          suite: 'postgres',
          case: `service → sink-postgres, ${n} events, batch ${BATCH} (COPY + ON CONFLICT + summaries + rollups)`,
          value: sink,
          unit: 'events/s',
          peer: { name: `bare COPY of the same rows into events, batch ${BATCH}`, value: median(rates.bare) },
          ratio: sink / median(rates.bare),
          target: 'ratio ≥ 0.8',
          note: `runs: ${rates.sink.map(Math.round).join(', ')}; bare: ${rates.bare.map(Math.round).join(', ')}`,
        },
        {
          suite: 'postgres',
          case: `service → sink-postgres vs service → sink-sqlite (in-thread), ${n} events`,
          value: sink,
          unit: 'events/s',
          peer: { name: 'sink-sqlite, same workload', value: median(rates.sqlite) },
          ratio: sink / median(rates.sqlite),
          note: `sqlite runs: ${rates.sqlite.map(Math.round).join(', ')}`,
        },
      );
      const total = quick ? 200_000 : 1_000_000;
      const t = performance.now();
      await fill(createPostgresSink({ url, schema: 'bench_read' }), total);
      const fillMs = performance.now() - t;
      const store = await openPostgresReadStore(url, { schema: 'bench_read' });
      const reads = await measureStore(store, 'PostgreSQL', quick ? 10 : 20, {}, total);
      await store.close();
      rows.push(...reads.map((row) => ({ ...row, suite: 'postgres' })), {
        suite: 'postgres',
        case: 'PostgreSQL: bench store written through createPostgresSink (batches of 20 000)',
        value: total / (fillMs / 1000),
        unit: 'events/s',
        note: 'setup, not a read path',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await own?.stop();
    }
    return rows;
  },
};
