import { join } from 'node:path';
import { createObservability, ObsValidationError } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built } from './test/built.js';
import { backupOn, liveEventDb, tempDir } from './test/fixtures.js';
import { startTestS3, type TestS3 } from './test/s3-server.js';

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

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('backup scheduler', () => {
  it('server down: emits backup.failed per attempt, retries within the cycle, then succeeds on the next cycle', async () => {
    const dir = tempDir();
    const live = await liveEventDb(join(dir.path, 'events.db'), 100);
    const sink = createMemorySink();
    const obs = createObservability({ source: 'test', sinks: [sink] });
    const backup = backupOn(s3, { database: join(dir.path, 'events.db'), s3: { prefix: 'scheduled' } });
    const scheduler = createBackupScheduler({
      backup,
      obs,
      everyMs: 1000,
      attempts: 2,
      retryDelayMs: 20,
      runId: 'ops.backup',
    });
    await s3.stop();
    try {
      scheduler.start();
      expect(scheduler.nextRunAt).toBeInstanceOf(Date);
      const types = async () => {
        await obs.flush();
        return sink.events.map((e) => e.event_type);
      };
      await until(async () => (await types()).filter((t) => t === 'backup.failed').length >= 2);
      await s3.start();
      await until(async () => (await types()).includes('backup.completed'));
      const failed = sink.events.filter((e) => e.event_type === 'backup.failed');
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
      await live.close();
      dir.cleanup();
    }
  });

  it('never runs two backups at once: runNow joins the run in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    const backup = {
      async run() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 50));
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
    const scheduler = createBackupScheduler({
      backup: { run: async () => Promise.reject(new Error('disk full')) },
      everyMs: 60_000,
      attempts: 5,
      retryDelayMs: 60_000,
    });
    const cycle = scheduler.runNow();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await scheduler.stop();
    expect(await cycle).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
