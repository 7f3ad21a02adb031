// What the console sink costs: events/s it formats into a stream that discards what it is given.
// Not part of CI. Run after a build: `node packages/sink-console/scripts/measure.mjs [events]`.
// Rates are per second of this process's CPU time (user + system), which a busy shared machine
// disturbs less than wall time.
import { createObservability, EventRecord } from '@obs/core';
import { createDiscardSink, makeEnvelope } from '@obs/core/testing';
import { createConsoleSink } from '../dist/index.js';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = 256;
const discard = { isTTY: false, write: () => true };

/** A trace-shaped mix: a span with a tool call and result, an LLM call and a log under it, children first. */
function workload(n) {
  const records = [];
  for (let i = 0; records.length < n; i++) {
    const span = makeEnvelope(i * 5, {
      event_type: 'span',
      status: 'ok',
      duration_ms: 12.5,
      payload: {
        operation: 'plan',
        layer: 'agent',
        input_summary: 'Resolve ticket #4812',
        output_summary: 'done',
      },
    });
    const under = { parent_event_id: span.event_id };
    const call = makeEnvelope(i * 5 + 1, {
      ...under,
      event_type: 'tool.call',
      payload: { tool: 'web.search', arguments: { query: 'password reset flow', limit: 5 } },
    });
    records.push(
      new EventRecord(call),
      new EventRecord(
        makeEnvelope(i * 5 + 2, {
          parent_event_id: call.event_id,
          event_type: 'tool.result',
          status: 'ok',
          duration_ms: 3,
          payload: { tool: 'web.search', success: true, output: { hits: 12 } },
        }),
      ),
      new EventRecord(
        makeEnvelope(i * 5 + 3, {
          ...under,
          event_type: 'llm.call',
          status: 'ok',
          duration_ms: 420,
          payload: {
            provider: 'openai',
            model: 'gpt-4o',
            prompt_tokens: 812,
            completion_tokens: 96,
            cost_usd: 0.003,
          },
        }),
      ),
      new EventRecord(
        makeEnvelope(i * 5 + 4, { ...under, payload: { level: 'info', message: 'checked the cache' } }),
      ),
      new EventRecord(span),
    );
  }
  return records.slice(0, n);
}

/** CPU seconds this process used since `from` (a `process.cpuUsage()`). */
const cpuSince = (from) => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1e6;
};

/** Events/s of `sink.write` over the workload in batches. */
function formatRate(options) {
  const records = workload(N);
  const sink = createConsoleSink({ stream: discard, env: {}, ...options });
  const started = process.cpuUsage();
  for (let i = 0; i < records.length; i += BATCH) sink.write(records.slice(i, i + BATCH));
  sink.close();
  return N / cpuSince(started);
}

/** Events/s of emit + flush through the service with `sinks`. */
async function serviceRate(sinks) {
  const obs = createObservability({ source: 'measure', sinks, defaultRunId: 'run-1' });
  const started = process.cpuUsage();
  for (let i = 0; i < N / 4; i++) {
    await obs.span(
      'plan',
      () => {
        obs.emit('tool.call', { tool: 'web.search', arguments: { query: 'password reset flow', limit: 5 } });
        obs.emit('llm.call', {
          provider: 'openai',
          model: 'gpt-4o',
          prompt_tokens: 812,
          completion_tokens: 96,
        });
        obs.emit('log', { level: 'info', message: 'checked the cache' });
      },
      { layer: 'agent', input_summary: 'Resolve ticket #4812', summarize: () => 'done' },
    );
    if (i % 1000 === 0) await obs.flush();
  }
  await obs.shutdown();
  return N / cpuSince(started);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (rate) => `${Math.round(rate / 1000)}k events/s (${(1e6 / rate).toFixed(2)} µs/event)`;
const runs = async (fn) => {
  const rates = [];
  for (let i = 0; i < 5; i++) rates.push(await fn());
  return median(rates);
};

formatRate({}); // warm-up
const lines = [
  `sink.write, no colour, width 120:   ${fmt(await runs(() => formatRate({})))}`,
  `sink.write, colour, width 120:      ${fmt(await runs(() => formatRate({ color: true })))}`,
  `sink.write, no colour, showRun:     ${fmt(await runs(() => formatRate({ showRun: true })))}`,
  `service, discard sink only:         ${fmt(await runs(() => serviceRate([createDiscardSink()])))}`,
  `service, discard + console sink:    ${fmt(await runs(() => serviceRate([createDiscardSink(), createConsoleSink({ stream: discard, env: {} })])))}`,
];
process.stdout.write(`${N} events, median of 5, node ${process.version}\n${lines.join('\n')}\n`);
