import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createObservability, type Envelope, serializeEnvelope, uuidv7 } from '@obs/core';
import { createStreamServer, createStreamSink, EventBus, streamQueueDefaults } from '@obs/sink-stream';
import { WebSocketServer } from 'ws';
import { type BenchRow, type BenchSuite, percentile } from '../harness.js';
import { llmPayload } from '../workload.js';

const RATE = 10_000;
const BENCH_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const now = () => performance.timeOrigin + performance.now();

/**
 * The clients run in a child process (their own event loop) so they do not compete with the
 * server's loop; arrival times use the same wall clock (\`timeOrigin + now()\`) and are taken when a
 * frame arrives. Clients find envelope sequences with a regex instead of \`JSON.parse\`: on this
 * 2-core box, parsing 100k envelopes/s in one child made the receiver the bottleneck for obs and
 * peer alike, so the figure measured the client instead of the stream.
 */
const CHILD = `
import WebSocket from 'ws';
const cfg = JSON.parse(process.env.STREAM_BENCH);
const now = () => performance.timeOrigin + performance.now();
const SEQ = /Z","seq":(\\d+)/g;
const arrivals = Array.from({ length: cfg.clients }, () => new Float64Array(cfg.total + 1));
let ready = 0;
const isReady = () => { if (++ready === cfg.clients) process.stdout.write('ready\\n'); };
for (let c = 0; c < cfg.clients; c++) {
  const ws = new WebSocket(cfg.url, { perMessageDeflate: false });
  const seen = arrivals[c];
  ws.on('open', () => {
    if (cfg.mode === 'obs') ws.send(JSON.stringify({ type: 'subscribe', v: 1, id: 'bench' }));
    else isReady();
  });
  ws.on('message', (data) => {
    const t = now();
    const text = data.toString();
    if (cfg.mode === 'obs' && !text.startsWith('{"type":"event')) {
      if (JSON.parse(text).type === 'subscribed') isReady();
      return;
    }
    for (const m of text.matchAll(SEQ)) seen[Number(m[1])] = t;
  });
}
process.stdin.once('data', () => {
  const out = arrivals.map((a) => Buffer.from(a.buffer).toString('base64'));
  process.stdout.write(JSON.stringify(out) + '\\n', () => process.exit(0));
});
`;

interface Target {
  url: string;
  emit(i: number): void;
  close(): Promise<void>;
}

async function obsTarget(): Promise<Target> {
  const bus = new EventBus();
  const server = createStreamServer({ bus });
  await server.listen();
  const obs = createObservability({
    source: 'bench',
    defaultRunId: 'run-bench',
    sinks: [{ sink: createStreamSink({ bus }), queue: streamQueueDefaults }],
  });
  return {
    url: server.url,
    emit: (i) => void obs.emit('llm.call', llmPayload(i), { session_id: 'session-1' }),
    close: async () => {
      await obs.shutdown();
      await server.close();
    },
  };
}

/** Peer: a bare `ws` server sending the same canonical JSON text, one frame per event per client. */
async function peerTarget(): Promise<Target> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    emit: (i) => {
      const envelope: Envelope = {
        schema_version: 1,
        event_id: uuidv7(),
        event_type: 'llm.call',
        timestamp: new Date().toISOString(),
        seq: i,
        source: 'bench',
        run_id: 'run-bench',
        request_id: null,
        cycle: null,
        session_id: 'session-1',
        turn_number: null,
        parent_event_id: null,
        audit_level: 'turn',
        status: null,
        duration_ms: null,
        payload: llmPayload(i) as unknown as Record<string, unknown>,
      };
      const text = serializeEnvelope(envelope);
      for (const client of wss.clients) client.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

interface CaseResult {
  p50: number;
  p99: number;
  /** Events delivered per second, summed over clients. */
  rate: number;
  lost: number;
}

async function runCase(mode: 'obs' | 'peer', clients: number, durationMs: number): Promise<CaseResult> {
  const target = mode === 'obs' ? await obsTarget() : await peerTarget();
  const total = Math.round((RATE * durationMs) / 1000);
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: BENCH_DIR,
    env: { ...process.env, STREAM_BENCH: JSON.stringify({ url: target.url, clients, total, mode }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('stream bench client failed to start');
  const emitted = new Float64Array(total + 1);
  const started = now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - started) * RATE) / 1000));
      while (sent < due) {
        sent++;
        emitted[sent] = now();
        target.emit(sent);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const elapsed = (now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.stdin.write('done\n');
  const arrivals = JSON.parse((await lines.next()).value as string) as string[];
  await target.close();
  const latencies: number[] = [];
  let lost = 0;
  for (const encoded of arrivals) {
    const buffer = Buffer.from(encoded, 'base64');
    const seen = new Float64Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 8);
    for (let i = 1; i <= total; i++) {
      if (seen[i]! > 0) latencies.push(seen[i]! - emitted[i]!);
      else lost++;
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rate: latencies.length / elapsed,
    lost,
  };
}

/** Emit → WebSocket client latency and delivered rate at 10k events/s, obs stream vs a bare `ws` broadcast. */
export const streamSuite: BenchSuite = {
  name: 'stream',
  async run({ quick }) {
    const durationMs = quick ? 3_000 : 10_000;
    const rows: BenchRow[] = [];
    for (const clients of [1, 10]) {
      const peer = await runCase('peer', clients, durationMs);
      const obs = await runCase('obs', clients, durationMs);
      const label = `${clients} client${clients > 1 ? 's' : ''}, ${RATE / 1000}k ev/s`;
      const note = `lost obs ${obs.lost}, peer ${peer.lost}`;
      const time = (name: string, o: number, p: number, target?: string): BenchRow => ({
        suite: 'stream',
        case: `${name} ${label}`,
        value: o,
        unit: 'ms',
        peer: { name: 'bare ws', value: p },
        ratio: p / o,
        ...(target ? { target } : {}),
        note,
      });
      rows.push(
        time('latency p50', obs.p50, peer.p50),
        time('latency p99', obs.p99, peer.p99, clients === 10 ? 'p99 < 2 ms' : undefined),
        {
          suite: 'stream',
          case: `delivered ${label}`,
          value: obs.rate,
          unit: 'events/s',
          peer: { name: 'bare ws', value: peer.rate },
          ratio: obs.rate / peer.rate,
          note,
        },
      );
    }
    return rows;
  },
};
