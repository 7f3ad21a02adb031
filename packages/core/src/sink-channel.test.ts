import { describe, expect, it } from 'vitest';
import { OBS_ERROR_CODES, ObsError } from './errors.js';
import type { EventRecord } from './event-record.js';
import { createObservability } from './observability.js';
import type { Sink } from './sink.js';
import { ObsTransientError, transienceOf } from './transient-error.js';

/** A sink that fails each write with what `fail` returns for it (nothing: the write succeeds). */
function scripted(fail: (batch: readonly EventRecord[], call: number) => Error | undefined) {
  const stored: string[] = [];
  const calls: number[] = [];
  const sink: Sink = {
    name: 'scripted',
    write(batch) {
      calls.push(batch.length);
      const error = fail(batch, calls.length);
      if (error) throw error;
      for (const record of batch) stored.push(String(record.envelope.payload['message']));
    },
    flush() {},
    close() {},
  };
  return { sink, stored, calls };
}

const emitMessages = (
  obs: { emit(type: 'log', payload: { level: 'info'; message: string }): unknown },
  messages: string[],
) => {
  for (const message of messages) obs.emit('log', { level: 'info', message });
};

describe('transienceOf', () => {
  it('reads the error’s own transient flag, and nothing else', () => {
    expect(transienceOf(new ObsTransientError('busy'))).toBe(true);
    expect(transienceOf(Object.assign(new Error('refused'), { transient: false }))).toBe(false);
    expect(transienceOf(new ObsError(OBS_ERROR_CODES.SINK, 'disk full'))).toBeUndefined();
    expect(transienceOf(new Error('x', { cause: new ObsTransientError('busy') }))).toBeUndefined();
    expect(transienceOf('busy')).toBeUndefined();
    expect(transienceOf(null)).toBeUndefined();
    const error = new ObsTransientError('database is locked', { cause: 'SQLITE_BUSY' });
    expect(error).toBeInstanceOf(ObsError);
    expect(error).toMatchObject({ code: 'OBS_SINK', name: 'ObsTransientError', cause: 'SQLITE_BUSY' });
  });
});

describe('the channel’s retries honour transience', () => {
  it('retries a transient failure with the same batch until it passes', async () => {
    const { sink, stored, calls } = scripted((_batch, call) =>
      call <= 3 ? new ObsTransientError('database is locked') : undefined,
    );
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { retryBaseMs: 1 } }],
    });
    emitMessages(obs, ['a', 'b', 'c']);
    await obs.flush();
    expect(calls).toEqual([3, 3, 3, 3]);
    expect(stored).toEqual(['a', 'b', 'c']);
    expect(obs.stats().sinks[0]).toMatchObject({ written: 3, failed: 0, retries: 3, last_error: null });
  });

  it('does not split a batch whose retries ran out on a transient failure: its events are not at fault', async () => {
    const { sink, calls } = scripted(() => new ObsTransientError('database is locked'));
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { retryBaseMs: 1, maxRetries: 2, batchSize: 8 } }],
    });
    emitMessages(obs, ['a', 'b', 'c', 'd']);
    await obs.flush();
    expect(calls).toEqual([4, 4, 4]);
    expect(obs.stats().sinks[0]).toMatchObject({ written: 0, failed: 4, retries: 2 });
  });

  it('splits a refused batch (transient: false) at once, without retries, so only the poison event fails', async () => {
    const refused = () =>
      Object.assign(new ObsError(OBS_ERROR_CODES.SINK, 'value too big'), { transient: false });
    const { sink, stored, calls } = scripted((batch) =>
      batch.some((r) => r.envelope.payload['message'] === 'poison') ? refused() : undefined,
    );
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { retryBaseMs: 1, batchSize: 8 } }],
    });
    const messages = ['m0', 'm1', 'm2', 'poison', 'm4', 'm5', 'm6', 'm7'];
    emitMessages(obs, messages);
    await obs.flush();
    // 8 → halves 4 (refused) and 4 → 2 (refused) and 2 → 1 (refused) and 1
    expect(calls).toEqual([8, 4, 4, 2, 2, 1, 1]);
    expect(stored.sort()).toEqual(messages.filter((m) => m !== 'poison').sort());
    expect(obs.stats().sinks[0]).toMatchObject({ written: 7, failed: 1, retries: 0 });
  });

  it('still retries, then splits, a failure that says nothing about transience', async () => {
    const { sink, stored, calls } = scripted((batch) =>
      batch.some((r) => r.envelope.payload['message'] === 'poison') ? new Error('cannot store') : undefined,
    );
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { retryBaseMs: 1, maxRetries: 2, batchSize: 4 } }],
    });
    emitMessages(obs, ['m0', 'poison', 'm2', 'm3']);
    await obs.flush();
    expect(calls).toEqual([4, 4, 4, 2, 2, 1, 1]);
    expect(stored.sort()).toEqual(['m0', 'm2', 'm3']);
    expect(obs.stats().sinks[0]).toMatchObject({ written: 3, failed: 1, retries: 2 });
  });
});
