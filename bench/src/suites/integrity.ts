import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, EventRecord } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { createJsonlSink, type JsonlSinkOptions } from '@obs/sink-jsonl';
import { importTrailPostgres } from '@obs/sink-postgres';
import { startTestPostgres } from '@obs/sink-postgres/testing';
import { createSqliteSink, importTrail } from '@obs/sink-sqlite';
import { verifyTrail } from '@obs/store-format';
import { type BareCopyResult, bareCopy, startClock } from '../bare-copy.js';
import { type BenchRow, type BenchSuite, loadAverage, median } from '../harness.js';
import { llmPayload } from '../workload.js';

const BATCH = 512;
/** `obs import`'s batch size into PostgreSQL (its default). */
const IMPORT_BATCH = 5_000;

/** `count` llm.call records (the JSON made here, as the service would before the sinks). */
function records(count: number, from = 0): EventRecord[] {
  const out: EventRecord[] = [];
  for (let i = from; i < from + count; i++) {
    const record = new EventRecord(
      makeEnvelope(i + 1, {
        event_type: 'llm.call',
        run_id: `run-${Math.floor(i / 200)}`,
        payload: llmPayload(i),
      }),
    );
    void record.json;
    out.push(record);
  }
  return out;
}

/** CPU µs per event of writing `batches` to a JSONL sink with the given chain setting. */
async function writeCost(
  dir: string,
  batches: EventRecord[][],
  chain: JsonlSinkOptions['chain'],
): Promise<number> {
  const sink = createJsonlSink({ dir, chain, rotation: { maxBytes: 64 * 1024 * 1024 } });
  const cpu = process.cpuUsage();
  for (const batch of batches) sink.write(batch);
  sink.flush();
  const used = process.cpuUsage(cpu);
  await sink.close();
  return (used.user + used.system) / (batches.length * BATCH);
}

/** MB/s of reading the same files and hashing them with one SHA-256: the ceiling of a verifier. */
async function bareHashRate(dir: string): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(join(dir, name), { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    hash.digest();
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

const load = loadAverage;

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${sorted[0]!.toFixed(0)}, median ${median(sorted).toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}`;
};

/** CPU µs per event of each run: this process (all threads) and, when it is local, the server. */
function cpuPerEvent(results: readonly BareCopyResult[]): string {
  const server = results.map((x) => x.serverCpu);
  return `CPU µs per event, this process ${results.map((x) => x.hostCpu.toFixed(1)).join(', ')}${server.every((v) => v !== undefined) ? `; the server ${server.map((v) => v.toFixed(1)).join(', ')}` : ''}`;
}

/** The tamper-evident trail: the chain's cost on the write path, `obs verify` and `obs import` throughput. */
export const integritySuite: BenchSuite = {
  name: 'integrity',
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-integrity-'));
    const rounds = quick ? 1 : 3;
    try {
      const rows: BenchRow[] = [];
      // 1. write cost: the same batches into a sink with and without the chain, alternating
      const batches = Array.from({ length: quick ? 100 : 400 }, (_, b) => records(BATCH, b * BATCH));
      const on: number[] = [];
      const off: number[] = [];
      await writeCost(join(dir, 'warm'), batches.slice(0, 20), {});
      for (let r = 0; r < rounds; r++) {
        off.push(await writeCost(join(dir, `off-${r}`), batches, false));
        on.push(await writeCost(join(dir, `on-${r}`), batches, {}));
        rmSync(join(dir, `off-${r}`), { recursive: true });
        rmSync(join(dir, `on-${r}`), { recursive: true });
      }
      rows.push({
        suite: 'integrity',
        case: `JSONL sink write, chain on (seal every 1000 lines): CPU per event, ${rounds} runs`,
        value: median(on),
        unit: 'µs',
        peer: { name: 'chain: false', value: median(off) },
        ratio: median(off) / median(on),
        note: `on: ${on.map((v) => v.toFixed(2)).join(', ')}; off: ${off.map((v) => v.toFixed(2)).join(', ')}`,
      });
      // 2. verify a trail of ~320 MB (64 MB files), written by the sink with its chain
      const trail = join(dir, 'trail');
      const targetBytes = (quick ? 40 : 320) * 1e6;
      const sink = createJsonlSink({ dir: trail, rotation: { maxBytes: 64 * 1024 * 1024 } });
      let written = 0;
      let events = 0;
      for (let b = 0; written < targetBytes; b++) {
        const batch = batches[b % batches.length]!;
        sink.write(batch);
        written += batch.reduce((n, r) => n + r.json.length + 1, 0);
        events += batch.length;
      }
      await sink.close();
      const size = readdirSync(trail)
        .filter((n) => n.endsWith('.jsonl'))
        .reduce((n, f) => n + statSync(join(trail, f)).size, 0);
      const verifyRates: number[] = [];
      const verifyCpuRates: number[] = [];
      const bareRates: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const v = await verifyTrail(trail);
        const used = process.cpuUsage(cpu);
        verifyCpuRates.push(size / ((used.user + used.system) / 1e6) / 1e6);
        if (!v.ok || v.bytes !== size)
          throw new Error(`verify failed on the bench trail: ${JSON.stringify(v.problems[0])}`);
        verifyRates.push(size / 1e6 / ((performance.now() - started) / 1000));
        bareRates.push(await bareHashRate(trail));
      }
      rows.push({
        suite: 'integrity',
        case: `obs verify, ${(size / 1e6).toFixed(0)} MB trail (${events.toLocaleString('en-US')} events): MB/s`,
        value: median(verifyRates),
        unit: 'MB/s',
        peer: { name: 'read + one SHA-256, same files', value: median(bareRates) },
        ratio: median(verifyRates) / median(bareRates),
        target: '≥ 300 MB/s',
        note: `wall MB/s: verify ${spread(verifyRates)}; bare ${spread(bareRates)}. MB per CPU-second (all threads): ${spread(verifyCpuRates)}`,
      });
      // 3. import 200k events of it into a new SQLite store
      const importTrailDir = join(dir, 'import-trail');
      const importSink = createJsonlSink({ dir: importTrailDir });
      const importEvents = quick ? 51_200 : 204_800;
      const importEnvelopes: Envelope[] = [];
      for (let b = 0; b < importEvents / BATCH; b++) {
        const batch = batches[b % batches.length]!.map(
          (r, i) =>
            new EventRecord(
              makeEnvelope(b * BATCH + i + 1, {
                ...r.envelope,
                event_id: makeEnvelope(b * BATCH + i + 1).event_id,
              }),
            ),
        );
        importSink.write(batch);
        for (const r of batch) importEnvelopes.push(r.envelope);
      }
      await importSink.close();
      // into a new store (rebuild mode), and, as its peer, into a store holding one unrelated event:
      // the live sink's path (WAL and its checkpoint thread), the one every import took before
      const importRates: number[] = [];
      const importCpu: number[] = [];
      const topUpRates: number[] = [];
      const topUpCpu: number[] = [];
      for (let r = 0; r < rounds; r++) {
        for (const topUp of [false, true]) {
          const into = join(dir, `import-${r}-${topUp ? 'top-up' : 'new'}.db`);
          if (topUp) {
            const seed = createSqliteSink({ path: into });
            seed.writeSync([new EventRecord(makeEnvelope(0))]);
            await seed.close();
          }
          const cpu = process.cpuUsage();
          const result = await importTrail(importTrailDir, { into, resume: false });
          const used = process.cpuUsage(cpu);
          if (result.inserted !== importEvents || result.rebuild === topUp)
            throw new Error(
              `import inserted ${result.inserted}/${importEvents} (rebuild: ${result.rebuild})`,
            );
          (topUp ? topUpCpu : importCpu).push((used.user + used.system) / result.read);
          (topUp ? topUpRates : importRates).push(result.read / result.seconds);
          rmSync(into, { force: true });
        }
      }
      rows.push({
        suite: 'integrity',
        case: `obs import, ${importEvents.toLocaleString('en-US')} events into a new SQLite store (rebuild mode): events/s`,
        value: median(importRates),
        unit: 'ev/s',
        peer: { name: 'the same into a store holding events (WAL, live sink)', value: median(topUpRates) },
        ratio: median(importRates) / median(topUpRates),
        target: '≥ 100k ev/s',
        note: `wall ev/s ${spread(importRates)}, peer ${spread(topUpRates)}; CPU µs per event (all threads) ${importCpu.map((v) => v.toFixed(1)).join(', ')}, peer ${topUpCpu.map((v) => v.toFixed(1)).join(', ')}; load ${load()}`,
      });
      // 4. the same trail into PostgreSQL (OBS_BENCH_POSTGRES_URL, else a throwaway cluster with fsync off)
      const own = process.env['OBS_BENCH_POSTGRES_URL'] ? undefined : await startTestPostgres();
      const url = process.env['OBS_BENCH_POSTGRES_URL'] ?? own!.url;
      try {
        const pgRates: number[] = [];
        const pgCpu: BareCopyResult[] = [];
        for (let r = 0; r < rounds; r++) {
          const clock = startClock(own?.port);
          const result = await importTrailPostgres(importTrailDir, {
            into: url,
            schema: `bench_import_${Date.now()}_${r}`,
            resume: false,
          });
          pgCpu.push(clock.stop(result.read));
          if (result.inserted !== importEvents)
            throw new Error(`import inserted ${result.inserted}/${importEvents}`);
          pgRates.push(result.read / result.seconds);
        }
        rows.push({
          suite: 'integrity',
          case: `obs import, ${importEvents.toLocaleString('en-US')} events into a new PostgreSQL schema: events/s`,
          value: median(pgRates),
          unit: 'ev/s',
          peer: { name: 'the same import into SQLite', value: median(importRates) },
          ratio: median(pgRates) / median(importRates),
          target: '≥ 100k ev/s',
          note: `wall ev/s ${spread(pgRates)}; ${cpuPerEvent(pgCpu)}; load ${load()}${own ? '; throwaway cluster, fsync off' : ''}`,
        });
        // the server's ceiling on this machine: the same rows COPYed bare (no ids check, summaries or rollups)
        for (const connections of [1, 2, 4]) {
          const bare: BareCopyResult[] = [];
          for (let r = 0; r < rounds; r++) {
            bare.push(
              await bareCopy(url, `bench_import_bare_${Date.now()}_${connections}_${r}`, importEnvelopes, {
                batchSize: IMPORT_BATCH,
                connections,
                ...(own ? { serverPort: own.port } : {}),
              }),
            );
          }
          const rates = bare.map((x) => x.rate);
          rows.push({
            suite: 'integrity',
            case: `bare parallel COPY of the same ${importEvents.toLocaleString('en-US')} rows into PostgreSQL, ${connections} connection${connections > 1 ? 's' : ''}, batches of ${IMPORT_BATCH}: the server's ceiling`,
            value: median(rates),
            unit: 'ev/s',
            peer: { name: 'obs import into PostgreSQL, same run', value: median(pgRates) },
            ratio: median(pgRates) / median(rates),
            target: 'shows whether 100k ev/s is reachable on this server',
            note: `wall ev/s ${spread(rates)}; COPY text made before the clock; ${cpuPerEvent(bare)}; load ${load()}`,
          });
        }
      } finally {
        await own?.stop();
      }
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
