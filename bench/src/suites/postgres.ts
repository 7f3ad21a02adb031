import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability, type Envelope, EventRecord, type Sink } from '@obs/core';
import { openPostgresReadStore } from '@obs/read-store';
import { createPostgresSink } from '@obs/sink-postgres';
import { startTestPostgres } from '@obs/sink-postgres/testing';
import { createSqliteSink } from '@obs/sink-sqlite';
import { type BareCopyResult, bareCopy, startClock } from '../bare-copy.js';
import { type BenchRow, type BenchSuite, loadAverage, median } from '../harness.js';
import { llmPayload } from '../workload.js';
import { fill, measureStore } from './read-store.js';

/** The sink's batch size (its `queueDefaults`); the bare loop copies batches of the same size. */
const BATCH = 1_000;

/**
 * The same agent workload into any sink through the service with the sink's default queue; returns
 * events/s and the CPU µs per event of this process (all its threads) and of the local server on `serverPort`.
 */
async function throughService(
  sink: Parameters<typeof createObservability>[0]['sinks'][number],
  n: number,
  keep: Envelope[],
  serverPort?: number,
): Promise<BareCopyResult> {
  const obs = createObservability({ source: 'bench', sinks: [sink] });
  const clock = startClock(serverPort);
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
  const result = clock.stop(n);
  await obs.shutdown();
  return result;
}

/** A sink that only reads each event's JSON, with sink-postgres's queue defaults: the service's own cost. */
function jsonOnlySink(): Sink {
  return {
    name: 'json-only',
    queueDefaults: { batchSize: BATCH, concurrency: 2, capacity: 2_048 },
    write(batch) {
      for (const record of batch) void record.json;
    },
    flush() {},
    close() {},
  };
}

const totalCpu = (x: BareCopyResult) => x.hostCpu + (x.serverCpu ?? 0);

const spread = (results: readonly BareCopyResult[]) => results.map((x) => Math.round(x.rate)).join(', ');

/** Median CPU µs per event of this process and of the server. */
function cpuNote(results: readonly BareCopyResult[]): string {
  const server = results.map((x) => x.serverCpu).filter((v) => v !== undefined);
  return `CPU µs/event: this process ${median(results.map((x) => x.hostCpu)).toFixed(1)}${server.length > 0 ? `, server ${median(server).toFixed(1)}` : ''}`;
}

/** The same events handed to `sink.write` in batches of {@link BATCH} (no service in front): the sink's own cost. */
async function directWrites(url: string, schema: string, envelopes: readonly Envelope[]): Promise<number> {
  const sink = createPostgresSink({ url, schema });
  await sink.ready();
  const batches: EventRecord[][] = [];
  for (let i = 0; i < envelopes.length; i += BATCH)
    batches.push(envelopes.slice(i, i + BATCH).map((e) => new EventRecord(e)));
  const start = performance.now();
  for (const batch of batches) await sink.write(batch);
  const rate = envelopes.length / ((performance.now() - start) / 1000);
  await sink.close();
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
      const port = own?.port;
      const runs = {
        sink: [] as BareCopyResult[],
        bare: [] as BareCopyResult[],
        formatted: [] as BareCopyResult[],
      };
      const direct: number[] = [];
      const sqlite: number[] = [];
      const alone: BareCopyResult[] = [];
      for (let r = 0; r < rounds; r++) {
        const envelopes: Envelope[] = [];
        const sinkOptions = { url, schema: `bench_sink_${r}` };
        // connected and migrated before the clock starts, as the bare loop's table and connection are
        const postgresSink = createPostgresSink(sinkOptions);
        await postgresSink.ready();
        runs.sink.push(await throughService(postgresSink, n, envelopes, port));
        direct.push(await directWrites(url, `bench_direct_${r}`, envelopes));
        runs.bare.push(
          await bareCopy(url, `bench_bare_${r}`, envelopes, { batchSize: BATCH, serverPort: port }),
        );
        runs.formatted.push(
          await bareCopy(url, `bench_formatted_${r}`, envelopes, {
            batchSize: BATCH,
            formatInClock: true,
            serverPort: port,
          }),
        );
        sqlite.push(
          (await throughService(createSqliteSink({ path: join(dir, `bench-${r}.db`) }), n, [])).rate,
        );
        alone.push(await throughService(jsonOnlySink(), n, []));
      }
      const rate = (results: BareCopyResult[]) => median(results.map((x) => x.rate));
      const sink = rate(runs.sink);
      const bare = { name: `bare COPY of the same rows into events, batch ${BATCH}`, value: rate(runs.bare) };
      rows.push(
        {
          suite: 'postgres',
          case: `service → sink-postgres, ${n} events, batch ${BATCH} (idempotent COPY + summaries + rollups)`,
          value: sink,
          unit: 'events/s',
          peer: bare,
          ratio: sink / bare.value,
          target: 'ratio ≥ 0.8',
          note: `runs: ${spread(runs.sink)}; bare: ${spread(runs.bare)}; ${cpuNote(runs.sink)} (bare: ${cpuNote(runs.bare)}); load ${loadAverage()}`,
        },
        {
          suite: 'postgres',
          case: `service → sink-postgres, ${n} events, vs a bare COPY loop that formats JSON and COPY text inside its clock`,
          value: sink,
          unit: 'events/s',
          peer: {
            name: `bare COPY of the same envelope objects, JSON + COPY text made in the clock, batch ${BATCH}`,
            value: rate(runs.formatted),
          },
          ratio: sink / rate(runs.formatted),
          target: 'ratio ≥ 0.8',
          note: `formatted bare: ${spread(runs.formatted)}; ${cpuNote(runs.formatted)}`,
        },
        ...(port === undefined
          ? []
          : [
              {
                suite: 'postgres',
                case: `service → sink-postgres, ${n} events: CPU per event of this process + the server (load-independent)`,
                value: median(runs.sink.map(totalCpu)),
                unit: 'µs',
                peer: {
                  name: 'bare COPY loop formatting JSON and COPY text in its clock',
                  value: median(runs.formatted.map(totalCpu)),
                },
                ratio: median(runs.formatted.map(totalCpu)) / median(runs.sink.map(totalCpu)),
                note: 'both sides on the same 2 cores: the ratio is what the wall ratio tends to on a quiet machine',
              },
            ]),
        {
          suite: 'postgres',
          case: `service → sink-postgres, ${n} events: CPU µs per event in this process, next to the service alone`,
          value: median(runs.sink.map((x) => x.hostCpu)),
          unit: 'µs',
          peer: {
            name: "the same workload into a sink that only reads each event's JSON (emit + JSON, no store)",
            value: median(alone.map((x) => x.hostCpu)),
          },
          ratio: median(alone.map((x) => x.hostCpu)) / median(runs.sink.map((x) => x.hostCpu)),
          note: `the difference is what the sink costs this process; alone: ${spread(alone)} ev/s`,
        },
        {
          suite: 'postgres',
          case: `sink-postgres.write of the same events, batches of ${BATCH} (no service: the sink's own cost)`,
          value: median(direct),
          unit: 'events/s',
          peer: bare,
          ratio: median(direct) / bare.value,
          target: 'ratio ≥ 0.8',
          note: `runs: ${direct.map(Math.round).join(', ')}`,
        },
        {
          suite: 'postgres',
          case: `service → sink-postgres vs service → sink-sqlite (in-thread), ${n} events`,
          value: sink,
          unit: 'events/s',
          peer: { name: 'sink-sqlite, same workload', value: median(sqlite) },
          ratio: sink / median(sqlite),
          note: `sqlite runs: ${sqlite.map(Math.round).join(', ')}`,
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
