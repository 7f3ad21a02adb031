import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadCollectorConfig, startCollector } from '@obs/collector';
import { createObservability } from '@obs/core';
import { createOtlpSink } from '@obs/otlp';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Database from 'better-sqlite3';
import type { BenchRow, BenchSuite } from '../harness.js';

interface LoadResult {
  accepted: number;
  failed: number;
  seconds: number;
  bytes: number;
  p50_ms: number;
  p99_ms: number;
  /** The load client's own CPU (µs, user + system). */
  cpuUs: number;
}

const LOAD_CLIENT = fileURLToPath(new URL('../otlp-load-client.js', import.meta.url));
const SPANS_PER_REQUEST = 512;
const CONCURRENCY = 8;
/** Chunks of 512 each exporter sends before its CPU is counted. */
const WARMUP_CHUNKS = 4;

/** Runs one load against a fresh collector (SQLite + JSONL); returns the load and the rows stored. */
async function ingest(
  mode: 'otlp' | 'native',
  requests: number,
): Promise<LoadResult & { stored: number; clientUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-otlp-'));
  try {
    const config = loadCollectorConfig({
      OBS_DATA_DIR: dir,
      OBS_MODE: 'dual',
      OBS_COLLECTOR_PORT: '0',
      OBS_SOURCE: 'bench',
    });
    const collector = await startCollector(config);
    const args = [
      LOAD_CLIENT,
      collector.url,
      mode,
      String(requests),
      String(CONCURRENCY),
      String(SPANS_PER_REQUEST),
    ];
    const cpu = process.cpuUsage();
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
    const used = process.cpuUsage(cpu);
    await collector.close();
    const db = new Database(config.sqlitePath, { readonly: true });
    const stored = (
      db.prepare("SELECT count(*) AS n FROM events WHERE event_type = 'llm.call'").get() as { n: number }
    ).n;
    db.close();
    const load = JSON.parse(stdout) as LoadResult;
    const events = Math.max(1, load.accepted);
    return { ...load, stored, cpuUs: (used.user + used.system) / events, clientUs: load.cpuUs / events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An OTLP endpoint in its own process (so its CPU is not counted here) that answers 200 to everything. */
async function sinkEndpoint(): Promise<{ url: string; stop: () => void }> {
  const script = `const s=require('node:http').createServer((q,r)=>{q.resume();q.on('end',()=>{r.writeHead(200,{'content-type':'application/x-protobuf'});r.end()})});s.listen(0,'127.0.0.1',()=>process.stdout.write(String(s.address().port)+'\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** CPU microseconds of this process per event while `work` runs. */
async function cpuPerEvent(events: number, work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / events;
}

/** OTLP ingest next to native JSON ingest of the same events, and the export sink's CPU cost next to OpenTelemetry's exporter. */
export const otlpSuite: BenchSuite = {
  name: 'otlp',
  async run({ quick }) {
    const requests = quick ? 60 : 300;
    await ingest('otlp', 8);
    const otlp = await ingest('otlp', requests);
    const native = await ingest('native', requests);
    const rate = otlp.accepted / otlp.seconds;
    const nativeRate = native.accepted / native.seconds;

    const chunks = quick ? 20 : 80;
    const chunk = 512;
    const endpoint = await sinkEndpoint();
    let dropped = 0;
    let sinkUs: number;
    let otelUs: number;
    try {
      const obs = createObservability({
        source: 'bench',
        defaultRunId: 'bench-run',
        sinks: [createOtlpSink({ url: endpoint.url })],
      });
      const sinkChunks = async (n: number) => {
        for (let c = 0; c < n; c++) {
          for (let i = 0; i < chunk; i++) {
            obs.emit(
              'llm.call',
              {
                provider: 'openai',
                model: 'gpt-4o',
                prompt_tokens: 812,
                completion_tokens: 96,
                finish_reason: 'stop',
              },
              { status: 'ok', duration_ms: 420 },
            );
          }
          await obs.flush();
        }
      };
      // both sides warm up (JIT, sockets) before their CPU is counted
      await sinkChunks(WARMUP_CHUNKS);
      sinkUs = await cpuPerEvent(chunks * chunk, () => sinkChunks(chunks));
      dropped = obs.stats().dropped + obs.stats().failed;
      await obs.shutdown();
      const provider = new BasicTracerProvider({
        spanProcessors: [
          new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.url}/v1/traces` }), {
            maxExportBatchSize: 512,
          }),
        ],
      });
      const tracer = provider.getTracer('bench');
      const otelChunks = async (n: number) => {
        for (let c = 0; c < n; c++) {
          for (let i = 0; i < chunk; i++) {
            const span = tracer.startSpan('chat gpt-4o', {
              attributes: {
                'gen_ai.operation.name': 'chat',
                'gen_ai.provider.name': 'openai',
                'gen_ai.request.model': 'gpt-4o',
                'gen_ai.usage.input_tokens': 812,
                'gen_ai.usage.output_tokens': 96,
              },
            });
            span.end();
          }
          await provider.forceFlush();
        }
      };
      await otelChunks(WARMUP_CHUNKS);
      otelUs = await cpuPerEvent(chunks * chunk, () => otelChunks(chunks));
      await provider.shutdown();
    } finally {
      endpoint.stop();
    }

    const rows: BenchRow[] = [
      {
        suite: 'otlp',
        case: `POST /v1/traces protobuf, ${SPANS_PER_REQUEST} GenAI spans a request, ${CONCURRENCY} connections: spans/s into SQLite + JSONL`,
        value: rate,
        unit: 'spans/s',
        peer: { name: 'POST /v1/events JSON of the same events', value: nativeRate },
        ratio: rate / nativeRate,
        target: '≥ 50k spans/s',
      },
      {
        suite: 'otlp',
        case: 'collector CPU per span (all its threads), OTLP protobuf ingest',
        value: otlp.cpuUs,
        unit: 'µs',
        peer: { name: 'native JSON ingest of the same events', value: native.cpuUs },
        ratio: native.cpuUs / otlp.cpuUs,
        target: '≤ 40 µs (50k spans/s on 2 cores)',
        note: `load client ${otlp.clientUs.toFixed(1)} µs/span (native ${native.clientUs.toFixed(1)}); cores busy ${((rate * (otlp.cpuUs + otlp.clientUs)) / 1e6).toFixed(2)} of 2`,
      },
      {
        suite: 'otlp',
        case: 'request latency p50 / p99 (OTLP)',
        value: otlp.p50_ms,
        unit: 'ms',
        note: `p99 ${otlp.p99_ms.toFixed(1)} ms; native p50 ${native.p50_ms.toFixed(1)} ms; bytes on the wire ${(otlp.bytes / otlp.accepted).toFixed(0)} vs ${(native.bytes / native.accepted).toFixed(0)} per span`,
      },
      {
        suite: 'otlp',
        case: 'loss: accepted − stored, OTLP and native (must be 0)',
        value: otlp.accepted - otlp.stored + (native.accepted - native.stored),
        unit: 'events',
        note: `${otlp.stored} + ${native.stored} stored, ${otlp.failed + native.failed} failed requests`,
      },
      {
        suite: 'otlp',
        case: 'export: emit + createOtlpSink (protobuf) CPU per event, paced in chunks of 512, after a warm-up',
        value: sinkUs,
        unit: 'µs',
        peer: { name: 'OTel span + BatchSpanProcessor + exporter-trace-otlp-proto', value: otelUs },
        ratio: otelUs / sinkUs,
        note: `${dropped} dropped or failed`,
      },
    ];
    return rows;
  },
};
