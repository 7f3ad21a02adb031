import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadCollectorConfig, startCollector } from '@obs/collector';
import Database from 'better-sqlite3';
import type { BenchRow, BenchSuite } from '../harness.js';
import { mainThreadCpuUs } from '../proc-cpu.js';

interface LoadResult {
  accepted: number;
  failed: number;
  seconds: number;
  p50_ms: number;
  p99_ms: number;
  /** The load client's own CPU (µs, user + system). */
  cpuUs: number;
}

/** A load's result with the CPU this process (the server under test, all its threads) used meanwhile, per event. */
type MeasuredLoad = LoadResult & {
  serverUsPerEvent: number;
  /** The main thread's part of `serverUsPerEvent` (NaN where it cannot be read). */
  mainUsPerEvent: number;
  clientUsPerEvent: number;
};

/** 2 cores × 1 s / 100k events: the CPU an event may cost, everything on the machine included. */
const BUDGET_US = 20;

const LOAD_CLIENT = fileURLToPath(new URL('../load-client.js', import.meta.url));

async function load(
  url: string,
  requests: number,
  concurrency: number,
  batch: number,
): Promise<MeasuredLoad> {
  const cpu = process.cpuUsage();
  const main = mainThreadCpuUs();
  const { stdout } = await promisify(execFile)(process.execPath, [
    LOAD_CLIENT,
    url,
    String(requests),
    String(concurrency),
    String(batch),
  ]);
  const used = process.cpuUsage(cpu);
  const mainUsed = (mainThreadCpuUs() ?? Number.NaN) - (main ?? Number.NaN);
  const result = JSON.parse(stdout) as LoadResult;
  const events = Math.max(1, result.accepted);
  return {
    ...result,
    serverUsPerEvent: (used.user + used.system) / events,
    mainUsPerEvent: mainUsed / events,
    clientUsPerEvent: result.cpuUs / events,
  };
}

/** The ceiling: a bare node:http server that reads and parses the same bodies and answers 200. */
async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      const text = JSON.stringify({ accepted: events.length });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Accepted events/s through the collector (SQLite + JSONL, batches of 100), zero loss checked in the store. */
export const collectorSuite: BenchSuite = {
  name: 'collector',
  async run({ quick }) {
    const requests = quick ? 300 : 1_500;
    const concurrency = 16;
    const batch = 100;
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-collector-'));
    try {
      const config = loadCollectorConfig({
        OBS_DATA_DIR: dir,
        OBS_MODE: 'dual',
        OBS_COLLECTOR_PORT: '0',
        OBS_SOURCE: 'bench',
      });
      const collector = await startCollector(config);
      await load(collector.url, 20, concurrency, batch);
      const obs = await load(collector.url, requests, concurrency, batch);
      await collector.close();
      const db = new Database(config.sqlitePath, { readonly: true });
      const stored = (
        db.prepare("SELECT count(*) AS n FROM events WHERE source = 'load-client'").get() as { n: number }
      ).n;
      db.close();
      const bare = await bareServer();
      const peer = await load(bare.url, requests, concurrency, batch);
      await bare.close();
      const rate = obs.accepted / obs.seconds;
      const peerRate = peer.accepted / peer.seconds;
      const total = obs.serverUsPerEvent + obs.clientUsPerEvent;
      const rows: BenchRow[] = [
        {
          suite: 'collector',
          case: `POST /v1/events, batches of ${batch}, ${concurrency} connections: accepted events/s (SQLite + JSONL)`,
          value: rate,
          unit: 'ev/s',
          peer: { name: 'bare node:http parse + 200', value: peerRate },
          ratio: rate / peerRate,
          target: '≥ 100k ev/s and ≥ 0.45x',
        },
        {
          suite: 'collector',
          case: 'collector CPU per event (all its threads: HTTP, ingest, JSONL, SQLite writer and checkpoints, GC)',
          value: obs.serverUsPerEvent,
          unit: 'µs',
          peer: { name: 'bare node:http parse + 200', value: peer.serverUsPerEvent },
          ratio: peer.serverUsPerEvent / obs.serverUsPerEvent,
          target: `≤ ${BUDGET_US} µs with the load client`,
        },
        {
          suite: 'collector',
          case: 'collector main thread CPU per event (HTTP, parse, ingest, JSONL, hand-off to the SQLite thread)',
          value: obs.mainUsPerEvent,
          unit: 'µs',
          note: `other threads (SQLite writer, checkpoints, GC helpers) ${(obs.serverUsPerEvent - obs.mainUsPerEvent).toFixed(1)} µs; Linux only, 10 ms resolution`,
        },
        {
          suite: 'collector',
          case: 'load client CPU per event (pre-encoded bodies, keep-alive)',
          value: obs.clientUsPerEvent,
          unit: 'µs',
          peer: { name: 'the same client against the bare parser', value: peer.clientUsPerEvent },
          ratio: peer.clientUsPerEvent / obs.clientUsPerEvent,
        },
        {
          suite: 'collector',
          case: 'CPU per event on the 2 cores: collector + load client',
          value: total,
          unit: 'µs',
          target: `≤ ${BUDGET_US} µs (100k ev/s on 2 cores)`,
          note: `CPU-bound ceiling ${Math.round(2e6 / total).toLocaleString('en-US')} ev/s; cores busy ${((rate * total) / 1e6).toFixed(2)} of 2`,
        },
        {
          suite: 'collector',
          case: 'request latency p50 / p99',
          value: obs.p50_ms,
          unit: 'ms',
          note: `p99 ${obs.p99_ms.toFixed(1)} ms`,
        },
        {
          suite: 'collector',
          case: 'loss: accepted − stored (must be 0)',
          value: obs.accepted + 20 * batch - stored,
          unit: 'events',
          note: `${stored} stored, ${obs.failed} failed requests`,
        },
      ];
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
