import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { built } from './test/built.js';
import { backupOn, liveEventDb, tempDir } from './test/fixtures.js';
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from './test/s3-server.js';

// from the build, where the backups (and their worker threads) run: see test/built.ts
const { BACKUP_ERROR_CODES, createBackupScheduler } = await built<typeof import('./index.js')>('index.js');

let s3: TestS3;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3.dispose();
});
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const clientOptions = () => ({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { ...S3RVER_CREDENTIALS },
  maxAttempts: 1,
  requestChecksumCalculation: 'WHEN_REQUIRED' as const,
  responseChecksumValidation: 'WHEN_REQUIRED' as const,
});

async function download(client: S3Client, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: 'backups', Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/**
 * A real S3 client whose first download (the drill's) is preceded by `tamper(key)`, run with another
 * client against the same server: the object in the bucket changes between upload and drill.
 */
function tamperingClient(tamper: (raw: S3Client, key: string) => Promise<void>): S3Client {
  const client = new S3Client(clientOptions());
  const raw = new S3Client(clientOptions());
  let done = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === 'GetObjectCommand') {
        done = true;
        await tamper(raw, (args.input as { Key: string }).Key);
      }
      return next(args);
    },
    { step: 'initialize', name: 'tamperBeforeDrill' },
  );
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    raw.destroy();
    destroy();
  };
  return client;
}

/** Runs `backup.run()` through a scheduler with one attempt and returns what it emitted. */
async function scheduled(backup: { run(): Promise<unknown> }) {
  const memory = createMemorySink();
  const obs = createObservability({ source: 'backup-test', sinks: [memory] });
  const scheduler = createBackupScheduler({ backup: backup as never, obs, everyMs: 3_600_000, attempts: 1 });
  const result = await scheduler.runNow();
  await obs.shutdown();
  return { result, events: memory.events.filter((e) => e.event_type.startsWith('backup.')) };
}

describe('restore drill', () => {
  it('restores every backup it writes, checks it against the manifest, and says so in backup.completed', async () => {
    const live = await liveEventDb(join(dir.path, 'events.db'), 400);
    const work = join(dir.path, 'tmp');
    mkdirSync(work);
    const backup = backupOn(s3, { database: live.path, tmpDir: work, s3: { prefix: 'drill-ok' } });
    const { result, events } = await scheduled(backup);
    expect(result).toMatchObject({ verified: true, eventCount: 400 });
    expect(result!.drillMs).toEqual(expect.any(Number));
    expect(events).toHaveLength(1);
    expect(events[0]!.event_type).toBe('backup.completed');
    expect(events[0]!.payload).toMatchObject({ key: result!.key, verified: true, event_count: 400 });
    expect(events[0]!.payload['drill_ms']).toBe(result!.drillMs);
    // neither the snapshot nor the restored copy is left behind
    expect(readdirSync(work)).toEqual([]);

    const off = backupOn(s3, { database: live.path, restoreDrill: false, s3: { prefix: 'drill-off' } });
    const unverified = await scheduled(off);
    expect(unverified.result).toMatchObject({ verified: false, drillMs: undefined });
    expect(unverified.events[0]!.payload).toMatchObject({ verified: false });
    expect(unverified.events[0]!.payload).not.toHaveProperty('drill_ms');
    await live.close();
    backup.close();
    off.close();
  });

  it('an archive corrupted in the bucket after upload fails the drill: backup.failed with the reason, and no retention', async () => {
    const live = await liveEventDb(join(dir.path, 'events.db'), 300);
    let now = Date.UTC(2025, 5, 1, 12);
    const good = backupOn(s3, { database: live.path, clock: () => now, s3: { prefix: 'drill-corrupt' } });
    const older = await good.run();
    now += 60_000;
    const client = tamperingClient(async (raw, key) => {
      // one byte of the database entry changed, the archive still a valid tar.gz
      const tar = gunzipSync(await download(raw, key));
      tar[tar.length - 1024 - 700] = (tar[tar.length - 1024 - 700]! + 1) % 256;
      await raw.send(new PutObjectCommand({ Bucket: 'backups', Key: key, Body: gzipSync(tar) }));
    });
    const backup = backupOn(s3, {
      database: live.path,
      clock: () => now,
      retention: { keepLast: 1 },
      s3: { prefix: 'drill-corrupt', client },
    });
    const { result, events } = await scheduled(backup);
    expect(result).toBeUndefined();
    expect(events.map((e) => e.event_type)).toEqual(['backup.failed']);
    const failed = events[0]!.payload;
    expect(failed).toMatchObject({
      code: BACKUP_ERROR_CODES.DRILL_FAILED,
      stage: 'drill',
      will_retry: false,
    });
    expect(failed['key']).toMatch(/^drill-corrupt\/2025\/06\/01\//);
    expect(failed['key']).not.toBe(older.key);
    expect(failed['message']).toMatch(
      /restore drill of .* failed: \[CHECKSUM_MISMATCH\] .*does not match its manifest/,
    );
    // retention (keep 1) did not run after the failed drill: the older, good backup is still there
    expect((await good.listBackups()).map((b) => b.key)).toEqual([failed['key'], older.key]);
    await live.close();
    backup.close();
    good.close();
  });

  it('another archive in its place (a manifest that is not the one written) fails the drill', async () => {
    const live = await liveEventDb(join(dir.path, 'events.db'), 100);
    let now = Date.UTC(2025, 6, 1, 12);
    const first = backupOn(s3, { database: live.path, clock: () => now, s3: { prefix: 'drill-swap' } });
    const older = await first.run();
    await live.write(50);
    now += 60_000;
    // the older archive is sound on its own: only the comparison with this backup's manifest catches it
    const client = tamperingClient(async (raw, key) => {
      await raw.send(
        new CopyObjectCommand({ Bucket: 'backups', Key: key, CopySource: `backups/${older.key}` }),
      );
    });
    const backup = backupOn(s3, {
      database: live.path,
      clock: () => now,
      s3: { prefix: 'drill-swap', client },
    });
    const error = (await backup.run().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code: string; key: string };
    expect(error).toMatchObject({ code: BACKUP_ERROR_CODES.DRILL_FAILED, retryable: true });
    expect(error.key).toMatch(/^drill-swap\//);
    expect(error.message).toContain('[MANIFEST_MISMATCH]');
    expect(error.message).toContain('event_count: 100, expected 150');
    await live.close();
    backup.close();
    first.close();
  });
});
