import { Writable } from 'node:stream';
import { createObservability } from '@obs/core';
import { createDiscardSink } from '@obs/core/testing';
import { pino } from 'pino';
import { type BenchRow, type BenchSuite, median, percentile } from '../harness.js';
import { llmPayload } from '../workload.js';

const CHUNK = 64;

interface Measurement {
  rate: number;
  p50: number;
  p99: number;
}

/** Per-call cost percentiles (ns) from timing chunks of calls, and the overall rate including drains. */
async function measure(total: number, call: () => void, drain: () => Promise<void>): Promise<Measurement> {
  if (total % CHUNK !== 0) throw new Error(`total must be a multiple of ${CHUNK}`);
  const perCall: number[] = [];
  const started = process.hrtime.bigint();
  for (let done = 0; done < total; ) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < CHUNK; i++) call();
    perCall.push(Number(process.hrtime.bigint() - t) / CHUNK);
    done += CHUNK;
    if (done % 4096 === 0) await drain();
  }
  await drain();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  perCall.sort((a, b) => a - b);
  return { rate: total / seconds, p50: percentile(perCall, 50), p99: percentile(perCall, 99) };
}

const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function obsEmit(total: number, serialize: boolean) {
  const sink = createDiscardSink({ serialize });
  const obs = createObservability({
    source: 'bench',
    sinks: [sink],
    queue: { capacity: 100_000, batchSize: 1024 },
  });
  const payload = llmPayload(1);
  const result = await obs.withContext({ run_id: 'run-bench', session_id: 'session-1', turn_number: 1 }, () =>
    measure(
      total,
      () => obs.emit('llm.call', payload),
      () => obs.flush(),
    ),
  );
  if (sink.count !== total || obs.stats().dropped !== 0)
    throw new Error(`obs lost events: ${sink.count}/${total}`);
  await obs.shutdown();
  return result;
}

async function pinoLog(total: number, destination: 'discard' | 'devnull') {
  const stream =
    destination === 'discard'
      ? new Writable({ write: (_chunk, _enc, cb) => cb() })
      : pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });
  const logger = pino({ base: { source: 'bench' } }, stream);
  const payload = llmPayload(1);
  const fields = {
    event_type: 'llm.call',
    run_id: 'run-bench',
    session_id: 'session-1',
    turn_number: 1,
    payload,
  };
  return measure(total, () => logger.info(fields), yieldLoop);
}

/** `emit` of an `llm.call` into a discarding sink, validation on, next to pino in the same run. */
export const emitSuite: BenchSuite = {
  name: 'emit',
  async run({ quick }) {
    const total = CHUNK * (quick ? 1_600 : 8_000);
    const rounds = quick ? 1 : 3;
    const runs: Record<'obs' | 'obsJson' | 'pinoDiscard' | 'pinoDevNull', Measurement[]> = {
      obs: [],
      obsJson: [],
      pinoDiscard: [],
      pinoDevNull: [],
    };
    await obsEmit(CHUNK * 320, false);
    await pinoLog(CHUNK * 320, 'discard');
    for (let r = 0; r < rounds; r++) {
      runs.obs.push(await obsEmit(total, false));
      runs.obsJson.push(await obsEmit(total, true));
      runs.pinoDiscard.push(await pinoLog(total, 'discard'));
      runs.pinoDevNull.push(await pinoLog(total, 'devnull'));
    }
    const med = (list: Measurement[], key: 'rate' | 'p50' | 'p99') => median(list.map((x) => x[key]));
    const rows: BenchRow[] = [];
    for (const [name, list] of [
      ['emit → discard sink', runs.obs],
      ['emit → discard sink, JSON made in batch step', runs.obsJson],
    ] as const) {
      rows.push(
        {
          suite: 'emit',
          case: `${name}: events/s`,
          value: med(list, 'rate'),
          unit: 'ev/s',
          peer: { name: 'pino → discard stream', value: med(runs.pinoDiscard, 'rate') },
          ratio: med(list, 'rate') / med(runs.pinoDiscard, 'rate'),
          ...(list === runs.obs ? { target: '≥ 300k ev/s' } : {}),
        },
        {
          suite: 'emit',
          case: `${name}: events/s vs pino → /dev/null`,
          value: med(list, 'rate'),
          unit: 'ev/s',
          peer: { name: 'pino → /dev/null (async)', value: med(runs.pinoDevNull, 'rate') },
          ratio: med(list, 'rate') / med(runs.pinoDevNull, 'rate'),
        },
        {
          suite: 'emit',
          case: `${name}: p50 per call`,
          value: med(list, 'p50'),
          unit: 'ns',
          peer: { name: 'pino → discard', value: med(runs.pinoDiscard, 'p50') },
          ratio: med(runs.pinoDiscard, 'p50') / med(list, 'p50'),
          ...(list === runs.obs ? { target: '< 3000 ns' } : {}),
        },
        {
          suite: 'emit',
          case: `${name}: p99 per call`,
          value: med(list, 'p99'),
          unit: 'ns',
          peer: { name: 'pino → discard', value: med(runs.pinoDiscard, 'p99') },
          ratio: med(runs.pinoDiscard, 'p99') / med(list, 'p99'),
        },
      );
    }
    return rows;
  },
};
