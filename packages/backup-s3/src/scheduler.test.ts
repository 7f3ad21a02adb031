import { join } from 'node:path';
import { createObservability, type DiagLogger, type Observability, ObsValidationError } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { built } from './test/built.js';
import { backupOn, liveEventDb, tempDir } from './test/fixtures.js';
import { startTestS3, type TestS3 } from './test/s3-server.js';
import { startTcpGate } from './test/tcp-gate.js';

// from the build, like the backups it runs (they snapshot in a worker thread): one ObsBackupError class
// for both; see test/built.ts
const { createBackupScheduler } = await built<typeof import('./index.js')>('index.js');

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3.dispose();
});

/** An `obs` for the scheduler that forwards to `target` and lets a test wait for what was emitted. */
function watchEmits(target: Pick<Observability, 'emit'>) {
  const types: string[] = [];
  const waiters: { test: (types: string[]) => boolean; resolve: () => void }[] = [];
  return {
    obs: {
      emit: ((type: string, payload: Record<string, unknown>, options: { run_id: string }) => {
        const envelope = (target.emit as (...args: unknown[]) => unknown)(type, payload, options);
        types.push(type);
        for (const w of [...waiters])
          if (w.test(types)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        return envelope;
      }) as Observability['emit'],
    },
    /** Resolves once the types emitted so far pass `test`. */
    until: (test: (types: string[]) => boolean) =>
      test(types) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve })),
  };
}

describe('backup scheduler', () => {
  it('server down: emits backup.failed per attempt, retries within the cycle, then succeeds on the next cycle', {
    // two cycles one second apart (the shortest everyMs) plus the uploads, on a loaded machine
    timeout: 30_000,
  }, async () => {
    const dir = tempDir();
    const live = await liveEventDb(join(dir.path, 'events.db'), 100);
    const sink = createMemorySink();
    const obs = createObservability({ source: 'test', sinks: [sink] });
    const emits = watchEmits(obs);
    // the server is "down" behind a gate that resets connections; the gate keeps its port throughout
    const gate = await startTcpGate(s3.port, 'down');
    const backup = backupOn(s3, {
      database: join(dir.path, 'events.db'),
      s3: { prefix: 'scheduled', endpoint: gate.endpoint },
    });
    const scheduler = createBackupScheduler({
      backup,
      obs: emits.obs,
      everyMs: 1000,
      attempts: 2,
      retryDelayMs: 20,
      runId: 'ops.backup',
    });
    try {
      scheduler.start();
      expect(scheduler.nextRunAt).toBeInstanceOf(Date);
      // both attempts of the first cycle failed; the next cycle is a second away, after the gate opens
      await emits.until((types) => types.filter((t) => t === 'backup.failed').length === 2);
      gate.up();
      await emits.until((types) => types.includes('backup.completed'));
      // no further cycle from here on, so the listing below sees exactly this backup
      await scheduler.stop();
      await obs.flush();
      const failed = sink.events.filter((e) => e.event_type === 'backup.failed');
      expect(failed).toHaveLength(2);
      expect(failed[0]!.payload).toMatchObject({ attempt: 1, will_retry: true, code: 'UNREACHABLE' });
      expect(failed[1]!.payload).toMatchObject({ attempt: 2, will_retry: true });
      const done = sink.events.find((e) => e.event_type === 'backup.completed')!;
      expect(done.run_id).toBe('ops.backup');
      expect(done.payload).toMatchObject({ event_count: 100 });
      expect((await backup.listBackups()).map((b) => b.key)).toEqual([done.payload['key']]);
    } finally {
      await scheduler.stop();
      await obs.shutdown();
      backup.close();
      await gate.close();
      await live.close();
      dir.cleanup();
    }
  });

  it('never runs two backups at once: runNow joins the run in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const backup = {
      async run() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await finished;
        running--;
        return {
          key: 'k',
          bytes: 1,
          databaseBytes: 2,
          sha256: '0'.repeat(64),
          eventCount: 0,
          durationMs: 50,
        } as never;
      },
    };
    const scheduler = createBackupScheduler({ backup, everyMs: 60_000 });
    const a = scheduler.runNow();
    const b = scheduler.runNow();
    expect(a).toBe(b);
    expect(scheduler.running).toBe(true);
    // the run is held until here: a third call still joins it
    expect(scheduler.runNow()).toBe(a);
    finish();
    await a;
    expect(maxRunning).toBe(1);
    expect(scheduler.running).toBe(false);
  });

  it('plans a daily run at the next HH:MM in UTC and rejects bad schedules', async () => {
    const now = Date.UTC(2025, 5, 1, 10, 0);
    const scheduler = createBackupScheduler({
      backup: { run: async () => ({}) as never },
      dailyAt: '03:30',
      clock: () => now,
    });
    scheduler.start();
    expect(scheduler.nextRunAt?.toISOString()).toBe('2025-06-02T03:30:00.000Z');
    await scheduler.stop();
    expect(scheduler.nextRunAt).toBeUndefined();
    expect(() =>
      createBackupScheduler({ backup: { run: async () => ({}) as never }, dailyAt: '25:00' }),
    ).toThrow(/HH:MM/);
    expect(() =>
      createBackupScheduler({ backup: { run: async () => ({}) as never }, everyMs: 5000, dailyAt: '01:00' }),
    ).toThrow(ObsValidationError);
  });

  it('stop() cancels a retry wait instead of sleeping through it', async () => {
    // fake timers: the 60 s retry wait can only end early by being cancelled, never by time passing
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let attempts = 0;
      let retrying!: () => void;
      const waiting = new Promise<void>((resolve) => {
        retrying = resolve;
      });
      const logger: DiagLogger = {
        error() {},
        warn: (message) => {
          if (message.includes('retrying')) retrying();
        },
      };
      const scheduler = createBackupScheduler({
        backup: {
          run: async () => {
            attempts++;
            throw new Error('disk full');
          },
        },
        everyMs: 60_000,
        attempts: 5,
        retryDelayMs: 60_000,
        logger,
      });
      const cycle = scheduler.runNow();
      await waiting; // attempt 1 failed and the retry wait has begun
      expect(vi.getTimerCount()).toBe(1);
      await scheduler.stop();
      expect(await cycle).toBeUndefined();
      expect(attempts).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
