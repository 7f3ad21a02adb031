import { serializeEnvelope } from '../canonical-json.js';
import type { Envelope } from '../envelope.js';
import { OBS_ERROR_CODES, ObsError, type ValidationIssue } from '../errors.js';
import { EventRecord } from '../event-record.js';
import { createObservability, type ObservabilityStats } from '../observability.js';
import type { QueueOptions } from '../queue-options.js';
import type { Sink } from '../sink.js';
import { runBareProcess, SINK_CONTRACT_CLOSED_MARKER } from './bare-process.js';
import { contractEnvelopes } from './contract-envelopes.js';
import type { MakeSink, SinkContractOptions, SinkUnderTest, Unsupported } from './sink-contract-types.js';

const isUnsupported = (value: unknown): value is Unsupported =>
  typeof value === 'object' && value !== null && 'unsupported' in value;

/** Retries that cost no waiting, so a retry is ordered by the failure alone. */
const QUICK_RETRY: QueueOptions = { retryBaseMs: 1, retryMaxMs: 1 };

const records = (envelopes: readonly Envelope[]) => envelopes.map((e) => new EventRecord(e));
const lines = (envelopes: readonly Envelope[]) => envelopes.map(serializeEnvelope);
const sorted = (values: readonly string[]) => [...values].sort();

/** Settles `work()` and returns what it threw (undefined when it did not), sync throws included. */
async function thrownBy(work: () => unknown): Promise<unknown> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return error;
  }
}

function named(issues: readonly ValidationIssue[], key: string): boolean {
  const dot = key.lastIndexOf('.');
  const parent = dot < 0 ? '' : key.slice(0, dot);
  const leaf = key.slice(dot + 1);
  return issues.some((i) => i.path === key || (i.path === parent && i.message.includes(`"${leaf}"`)));
}

/**
 * Registers the sink contract as one `describe` block: canonical bytes, `OBS_CLOSED` after close,
 * idempotent close that settles in a bare process, no event stored twice after a retry, `flush`
 * after the writes it follows, options errors naming each key, and `health()`. Every test makes
 * its own sink with `makeSink`, closes it and calls its `cleanup`.
 */
export function describeSinkContract<S extends Sink>(
  name: string,
  makeSink: MakeSink<S>,
  options: SinkContractOptions,
): void {
  const { describe, it, expect } = options.test;
  const timeout = options.timeoutMs ?? 30_000;
  const ordered = options.order !== 'any';
  const inOrder = (values: readonly string[]) => (ordered ? [...values] : sorted(values));

  const serviceFor = (sink: Sink, queue: QueueOptions = {}, onError?: (error: Error) => void) =>
    createObservability({
      source: 'contract',
      defaultRunId: 'contract-run',
      sinks: [{ sink, queue: { ...QUICK_RETRY, ...queue } }],
      ...(onError ? { onError } : {}),
    });
  type Serve = typeof serviceFor;

  /**
   * Runs `body` with a fresh sink and a `serve` that puts a service in front of it; then shuts the
   * services down, closes the sink (errors ignored: the test may have closed it) and cleans up.
   */
  const withHarness = async <H extends SinkUnderTest<Sink>>(
    make: () => H | Promise<H>,
    body: (harness: H, serve: Serve) => Promise<void>,
  ): Promise<void> => {
    const harness = await make();
    const services: ReturnType<Serve>[] = [];
    const serve: Serve = (...args) => {
      const obs = serviceFor(...args);
      services.push(obs);
      return obs;
    };
    try {
      await body(harness, serve);
    } finally {
      for (const obs of services) await thrownBy(() => obs.shutdown({ timeoutMs: 2_000 }));
      await thrownBy(() => harness.sink.close());
      await harness.cleanup?.();
    }
  };

  /** Emits `count` events alternating `tool.call` and `log`, starting with a `tool.call`. */
  const emitMixed = (obs: ReturnType<Serve>, count: number): Envelope[] =>
    Array.from({ length: count }, (_, i) =>
      i % 2 === 0
        ? obs.emit('tool.call', { tool: `tool-${i}`, arguments: { i, text: 'é ✓ 😀' } })
        : obs.emit('log', { level: 'info', message: `event ${i}` }),
    );

  const skip = (title: string, reason: string) => it.skip(`${title} (unsupported: ${reason})`, () => {});

  describe(`Sink contract: ${name}`, () => {
    const order = ordered ? ', in write order' : '';
    const bytesTitle = isUnsupported(options.bytes)
      ? `keeps each event unchanged${order} (no byte check: ${options.bytes.unsupported})`
      : `stores each event as serializeEnvelope(envelope), byte for byte${order}`;
    it(
      bytesTitle,
      () =>
        withHarness(makeSink, async ({ sink, stored }) => {
          const batches = [contractEnvelopes(1, 1), contractEnvelopes(2, 11), contractEnvelopes(13, 4)];
          for (const batch of batches) await sink.write(records(batch));
          await sink.flush();
          expect(inOrder(await stored())).toEqual(inOrder(lines(batches.flat())));
        }),
      timeout,
    );

    it(
      'rejects a write after close with ObsError OBS_CLOSED',
      () =>
        withHarness(makeSink, async ({ sink }) => {
          await sink.write(records(contractEnvelopes(1, 2)));
          await sink.close();
          const error = await thrownBy(() => sink.write(records(contractEnvelopes(3, 1))));
          expect(error, 'write after close must throw or reject').toBeInstanceOf(ObsError);
          expect((error as ObsError).code).toBe(OBS_ERROR_CODES.CLOSED);
        }),
      timeout,
    );

    it(
      'close is idempotent (twice at once, then again) and keeps what was written',
      () =>
        withHarness(makeSink, async ({ sink, stored }) => {
          const batch = contractEnvelopes(1, 6);
          await sink.write(records(batch));
          await Promise.all([sink.close(), sink.close()]);
          await sink.close();
          expect(inOrder(await stored())).toEqual(inOrder(lines(batch)));
        }),
      timeout,
    );

    const bare = options.bareProcess;
    if (isUnsupported(bare)) skip('close settles on its own in a bare node process', bare.unsupported);
    else
      it(
        'close settles on its own in a bare node process, which then exits with code 0',
        async () => {
          const run = await runBareProcess(bare, Math.max(1_000, timeout - 5_000));
          const detail = `exit code ${run.code}, signal ${run.signal}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
          expect(run.stdout, `close() settled (${detail})`).toContain(SINK_CONTRACT_CLOSED_MARKER);
          expect(run.code, `the process ended on its own (${detail})`).toBe(0);
        },
        timeout,
      );

    it(
      'through the service, stores every event once across many batches',
      () =>
        withHarness(makeSink, async ({ sink, stored }, serve) => {
          const obs = serve(sink, { batchSize: 7 });
          const emitted = emitMixed(obs, 40);
          await obs.flush();
          expect(sorted(await stored())).toEqual(sorted(lines(emitted)));
          expect(counters(obs)).toEqual({ written: 40, failed: 0, dropped: 0, retries: 0 });
          await obs.shutdown();
        }),
      timeout,
    );

    const redelivery = options.redelivery;
    if (isUnsupported(redelivery)) {
      skip('a batch retried after a failure is not stored twice', redelivery.unsupported);
    } else if (redelivery === 'event_id') {
      it(
        'a batch written again is stored once (deduplicated by event_id)',
        () =>
          withHarness(makeSink, async ({ sink, stored }) => {
            const first = contractEnvelopes(1, 5);
            const second = contractEnvelopes(6, 3);
            await sink.write(records(first));
            await sink.write(records(first));
            await sink.write(records([...first.slice(2), ...second]));
            await sink.flush();
            expect(inOrder(await stored())).toEqual(inOrder(lines([...first, ...second])));
          }),
        timeout,
      );
      it(
        'through the service, a batch stored but not acknowledged is retried and stored once',
        () =>
          withHarness(makeSink, async ({ sink, stored }, serve) => {
            let lost = 0;
            const ackLost: Sink = {
              name: sink.name,
              ...(sink.queueDefaults ? { queueDefaults: sink.queueDefaults } : {}),
              async write(batch) {
                await sink.write(batch);
                if (lost++ === 0) throw new Error('the acknowledgement was lost after the batch was stored');
              },
              flush: () => sink.flush(),
              close: () => sink.close(),
            };
            const obs = serve(ackLost, { batchSize: 1_000 });
            const emitted = emitMixed(obs, 12);
            await obs.flush();
            expect(counters(obs)).toEqual({ written: 12, failed: 0, dropped: 0, retries: 1 });
            expect(sorted(await stored())).toEqual(sorted(lines(emitted)));
            await obs.shutdown();
          }),
        timeout,
      );
    } else {
      const makeFaulty = redelivery.resume;
      it(
        'a write that failed part-way, written again, stores only the rest',
        () =>
          withHarness(makeFaulty, async ({ sink, stored, heal }) => {
            const batch = records(
              contractEnvelopes(1, 8).map((e, i) =>
                i % 2 === 0
                  ? { ...e, event_type: 'tool.call', payload: { tool: `tool-${i}` } }
                  : { ...e, event_type: 'log', payload: { level: 'info', message: `event ${i}` } },
              ),
            );
            const error = await thrownBy(() => sink.write(batch));
            expect(error, 'the armed fault makes the write fail').toBeInstanceOf(Error);
            const partial = (await stored()).length;
            expect(partial, 'part of the batch reached the store').toBeGreaterThan(0);
            expect(partial, 'part of the batch reached the store').toBeLessThan(batch.length);
            heal();
            await sink.write(batch);
            await sink.flush();
            expect(sorted(await stored())).toEqual(sorted(batch.map((r) => serializeEnvelope(r.envelope))));
          }),
        timeout,
      );
      for (const maxRetries of [3, 0]) {
        it(
          `through the service, a batch that failed part-way is ${maxRetries > 0 ? 'retried' : 'split in halves'} and each event stored once`,
          () =>
            withHarness(makeFaulty, async ({ sink, stored, heal }, serve) => {
              let failures = 0;
              const obs = serve(sink, { batchSize: 1_000, maxRetries }, () => {
                failures++;
                heal();
              });
              const emitted = emitMixed(obs, 10);
              await obs.flush();
              expect(failures, 'the armed fault failed a write').toBeGreaterThan(0);
              const { retries: _retries, ...settled } = counters(obs);
              expect(settled).toEqual({ written: 10, failed: 0, dropped: 0 });
              expect(sorted(await stored())).toEqual(sorted(lines(emitted)));
              await obs.shutdown();
            }),
          timeout,
        );
      }
    }

    it(
      'flush resolves only after every earlier write is stored',
      () =>
        withHarness(makeSink, async ({ sink, stored }, serve) => {
          const direct = contractEnvelopes(1, 5);
          await sink.write(records(direct));
          await sink.flush();
          expect(inOrder(await stored())).toEqual(inOrder(lines(direct)));
          // fewer events than a batch, held by a long linger: only flush() starts their write
          const obs = serve(sink, { batchSize: 3, lingerMs: 3_600_000 });
          const held = emitMixed(obs, 2);
          await obs.flush();
          expect(sorted(await stored())).toEqual(sorted(lines([...direct, ...held])));
          // then batches written as they fill, several at once up to the sink's own concurrency
          const many = emitMixed(obs, 31);
          await obs.flush();
          expect(sorted(await stored())).toEqual(sorted(lines([...direct, ...held, ...many])));
          await obs.shutdown();
        }),
      timeout,
    );

    const bad = options.badOptions;
    if (isUnsupported(bad)) skip('refuses bad options, naming each offending key', bad.unsupported);
    else
      it(
        `refuses bad options, naming each offending key (${bad.keys.join(', ')})`,
        async () => {
          let made: unknown;
          const error = await thrownBy(async () => {
            made = await bad.create(bad.options);
          });
          if (made && typeof (made as Sink).close === 'function')
            await thrownBy(() => (made as Sink).close());
          expect(error, 'the factory throws an ObsError').toBeInstanceOf(ObsError);
          expect([OBS_ERROR_CODES.VALIDATION, OBS_ERROR_CODES.CONFIG]).toContain((error as ObsError).code);
          const issues = (error as { issues?: readonly ValidationIssue[] }).issues ?? [];
          const missing = bad.keys.filter((key) => !named(issues, key));
          expect(missing, `keys not named in ${JSON.stringify(issues)}`).toEqual([]);
        },
        timeout,
      );

    const health = options.health;
    if (isUnsupported(health)) skip('reports health()', health.unsupported);
    else
      it(
        'reports health() as { ok, detail? }: ok while open, in the service stats, not ok once closed',
        () =>
          withHarness(makeSink, async ({ sink }, serve) => {
            expect(typeof sink.health, 'the sink has health()').toBe('function');
            const obs = serve(sink);
            emitMixed(obs, 3);
            await obs.flush();
            const open = sink.health!();
            const keys = Object.keys(open).filter((k) => k !== 'ok' && k !== 'detail');
            expect(keys, 'health() has only ok and detail').toEqual([]);
            expect(open.ok).toBe(true);
            expect(['undefined', 'string']).toContain(typeof open.detail);
            expect(obs.stats().sinks[0]!.health).toEqual(sink.health!());
            await obs.shutdown();
            expect(sink.health!().ok, 'not ok once closed').toBe(false);
          }),
        timeout,
      );
  });
}

/** The counters of the service's only sink that the suite checks. */
function counters(obs: { stats(): ObservabilityStats }) {
  const { written, failed, dropped, retries } = obs.stats().sinks[0]!;
  return { written, failed, dropped, retries };
}
