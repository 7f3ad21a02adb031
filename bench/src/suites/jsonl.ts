import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuiltinPayloads, createObservability } from '@obs/core';
import { createJsonlSink, type JsonlDurability } from '@obs/sink-jsonl';
import { pino } from 'pino';
import { type BenchRow, type BenchSuite, median } from '../harness.js';
import { llmPayload } from '../workload.js';

const YIELD_EVERY = 4096;
const WARM_UP_EVENTS = 40_960;
const CONTEXT = { run_id: 'run-bench', session_id: 'session-1', turn_number: 1 };
const payloads: BuiltinPayloads['llm.call'][] = Array.from({ length: 64 }, (_, i) => llmPayload(i));
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Events/s of `emit('llm.call')` into the JSONL sink until every event is in the file (validation on). */
async function obsRate(dir: string, total: number, durability: JsonlDurability): Promise<Measurement> {
  const sink = createJsonlSink({ dir, durability, fileName: `obs-${durability}` });
  const obs = createObservability({
    source: 'bench',
    sinks: [{ sink, queue: { ...sink.queueDefaults, overflow: 'block' } }],
  });
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await obs.withContext(CONTEXT, async () => {
    for (let i = 0; i < total; i++) {
      obs.emit('llm.call', payloads[i & 63]!);
      if ((i + 1) % YIELD_EVERY === 0) {
        await obs.ready();
        await yieldLoop();
      }
    }
    await obs.flush();
  });
  const result = measured(total, started, cpu);
  const stats = obs.stats().sinks[0]!;
  if (stats.written !== total)
    throw new Error(`jsonl ${durability}: wrote ${stats.written}/${total}, dropped ${stats.dropped}`);
  await obs.shutdown();
  return result;
}

interface Measurement {
  rate: number;
  /** CPU time of the whole process (all threads) per event, in µs: steadier than wall time on a shared box. */
  cpuUs: number;
}

function measured(total: number, started: bigint, cpu: NodeJS.CpuUsage): Measurement {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: total / seconds, cpuUs: (used.user + used.system) / total };
}

/** Events/s of pino writing the same fields to a file, until they are in the file (and on the device with `fsync`). */
async function pinoRate(dir: string, total: number, sync: boolean, fsync = false): Promise<Measurement> {
  const name = `pino-${sync ? 'sync' : 'async'}${fsync ? '-fsync' : ''}.log`;
  const dest = await openDestination(join(dir, name), sync, fsync);
  const logger = pino({ base: { source: 'bench' } }, dest);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < total; i++) {
    logger.info({ event_type: 'llm.call', ...CONTEXT, payload: payloads[i & 63] });
    if ((i + 1) % YIELD_EVERY === 0) await yieldLoop();
  }
  if (!sync)
    await new Promise<void>((resolve, reject) => dest.flush((error) => (error ? reject(error) : resolve())));
  const result = measured(total, started, cpu);
  dest.end();
  return result;
}

async function openDestination(path: string, sync: boolean, fsync = false) {
  const dest = pino.destination({ dest: path, sync, fsync });
  if ((dest as unknown as { fd: number }).fd < 0) await new Promise((resolve) => dest.once('ready', resolve));
  return dest;
}

type RssCase = 'obs' | 'pino';

/** In a fresh process: emit `total` events in one loop that never yields, so nothing reaches the disk meanwhile. */
async function rssChild(which: RssCase, dir: string, total: number): Promise<void> {
  const base = process.memoryUsage.rss();
  let peak = base;
  let dropped = 0;
  if (which === 'obs') {
    const sink = createJsonlSink({ dir, durability: 'batch' });
    const obs = createObservability({ source: 'bench', sinks: [sink], defaultRunId: 'run-bench' });
    for (let i = 0; i < total; i++) {
      obs.emit('llm.call', payloads[i & 63]!);
      if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
    await obs.flush();
    dropped = obs.stats().dropped;
    await obs.shutdown();
  } else {
    const dest = await openDestination(join(dir, 'pino.log'), false);
    const logger = pino({ base: { source: 'bench' } }, dest);
    for (let i = 0; i < total; i++) {
      logger.info({ event_type: 'llm.call', run_id: 'run-bench', payload: payloads[i & 63] });
      if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
    peak = Math.max(peak, process.memoryUsage.rss());
    dest.flushSync();
  }
  process.stdout.write(JSON.stringify({ growthMb: (peak - base) / 2 ** 20, dropped }));
}

function runRssChild(
  which: RssCase,
  dir: string,
  total: number,
): Promise<{ growthMb: number; dropped: number }> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [self, '--rss-child', which, dir, String(total)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`rss child exited with ${code}`)),
    );
  });
}

/** JSONL sink throughput per durability next to pino file destinations, and memory when the disk lags. */
export const jsonlSuite: BenchSuite = {
  name: 'jsonl',
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-jsonl-'));
    try {
      const total = quick ? 40_960 : 204_800;
      const rounds = quick ? 1 : 3;
      const runs: Record<string, Measurement[]> = {};
      const cases: [string, (events: number) => Promise<Measurement>][] = [
        ['batch', (events) => obsRate(dir, events, 'batch')],
        ['flush', (events) => obsRate(dir, events, 'flush')],
        ['fsync', (events) => obsRate(dir, events, 'fsync')],
        ['pinoAsync', (events) => pinoRate(dir, events, false)],
        ['pinoSync', (events) => pinoRate(dir, events, true)],
        // async, so its writes are batched like obs's, with an fsync after each write
        ['pinoFsync', (events) => pinoRate(dir, events, false, true)],
      ];
      // every case warms up alike (the same events, unmeasured) before the measured rounds
      for (const [, fn] of cases) await fn(WARM_UP_EVENTS);
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? cases : [...cases].reverse();
        for (const [name, fn] of order) {
          const measurement = await fn(total);
          runs[name] = [...(runs[name] ?? []), measurement];
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir);
        }
      }
      const rate = (name: string) => median(runs[name]!.map((m) => m.rate));
      const cpuUs = (name: string) => median(runs[name]!.map((m) => m.cpuUs));
      /** Every round's figure of a case and of its peer, as min / median / max (a noisy box's spread). */
      const roundsNote = (name: string, peer: string, key: keyof Measurement, digits: number) => {
        const spread = (xs: number[]) =>
          `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${Math.max(...xs).toFixed(digits)}`;
        const of = (n: string) => runs[n]!.map((m) => m[key]);
        return `${rounds} rounds, min / median / max: ${spread(of(name))}; peer ${spread(of(peer))}`;
      };
      const rows: BenchRow[] = [];
      const targets: Record<string, string> = {
        'batch pinoSync': '≥ 1.5x',
        'flush pinoSync': '≥ 1.3x',
        'fsync pinoFsync': '≥ 1.0x',
      };
      const peers = [
        ['pinoAsync', 'pino.destination async'],
        ['pinoSync', 'pino.destination sync'],
        ['pinoFsync', 'pino.destination fsync'],
      ] as const;
      for (const mode of ['batch', 'flush', 'fsync'] as const) {
        for (const [peer, label] of peers) {
          if ((mode === 'fsync') !== (peer === 'pinoFsync')) continue;
          const target = targets[`${mode} ${peer}`];
          rows.push({
            suite: 'jsonl',
            case: `durability ${mode}: events/s to file`,
            value: rate(mode),
            unit: 'ev/s',
            peer: { name: label, value: rate(peer) },
            ratio: rate(mode) / rate(peer),
            ...(target ? { target } : {}),
            note: roundsNote(mode, peer, 'rate', 0),
          });
        }
        rows.push({
          suite: 'jsonl',
          case: `durability ${mode}: CPU per event (all threads)`,
          value: cpuUs(mode),
          unit: 'µs',
          peer: { name: 'pino.destination sync', value: cpuUs('pinoSync') },
          ratio: cpuUs('pinoSync') / cpuUs(mode),
          ...(mode === 'batch' ? { target: '≤ 4.5 µs' } : {}),
          note: roundsNote(mode, 'pinoSync', 'cpuUs', 2),
        });
      }
      const burst = quick ? 300_000 : 1_000_000;
      const obsRss = await runRssChild('obs', dir, burst);
      const pinoRss = await runRssChild('pino', dir, burst);
      rows.push({
        suite: 'jsonl',
        case: `RSS growth, ${burst.toLocaleString('en-US')} events emitted faster than the disk`,
        value: obsRss.growthMb,
        unit: 'MB',
        peer: { name: 'pino.destination async', value: pinoRss.growthMb },
        ratio: pinoRss.growthMb / obsRss.growthMb,
        target: '≤ 64 MB and 0 dropped',
        note: `obs dropped ${obsRss.dropped} (defaults: block, caller-runs); pino buffers everything`,
      });
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

if (process.argv[2] === '--rss-child' && import.meta.url === pathToFileURL(process.argv[1]!).href) {
  await rssChild(process.argv[3] as RssCase, process.argv[4]!, Number(process.argv[5]));
}
