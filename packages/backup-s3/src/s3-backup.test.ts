import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ObsValidationError } from '@obs/core';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_ERROR_REASONS, ObsBackupError } from './index.js';
import { fillEventDb, openEventDb } from './test/agent-events.js';
import { backupOn, tempDir } from './test/fixtures.js';
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from './test/s3-server.js';
import { startTcpGate } from './test/tcp-gate.js';

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

function liveDb(name: string, count: number) {
  const path = join(dir.path, name);
  const db = openEventDb(path);
  fillEventDb(db, { count });
  return { path, db };
}

const rawClient = () =>
  new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

async function download(key: string): Promise<Buffer> {
  const client = rawClient();
  const out = await client.send(new GetObjectCommand({ Bucket: 'backups', Key: key }));
  const bytes = Buffer.from(await out.Body!.transformToByteArray());
  client.destroy();
  return bytes;
}

describe('backup → list → restore', () => {
  it('round-trips a live WAL database whose last writes are still in the WAL', async () => {
    const { path, db } = liveDb('events.db', 3000);
    expect(existsSync(`${path}-wal`)).toBe(true);
    const backup = backupOn(s3, { database: path, s3: { prefix: 'roundtrip' } });
    const result = await backup.run();
    expect(result.key).toMatch(/^roundtrip\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{9}Z-[A-Za-z0-9._-]+\.tar\.gz$/);
    expect(result.eventCount).toBe(3000);
    expect(result.bytes).toBeLessThan(result.databaseBytes / 2);
    expect(result.manifest.schema_version).toBe(1);
    expect(result.manifest.first_timestamp).toBe(
      db.prepare('SELECT min(timestamp) FROM events').pluck().get(),
    );
    expect(result.manifest.last_timestamp).toBe(
      db.prepare('SELECT max(timestamp) FROM events').pluck().get(),
    );

    const list = await backup.listBackups();
    expect(list.map((b) => b.key)).toEqual([result.key]);
    expect(list[0]!.bytes).toBe(result.bytes);

    const to = join(dir.path, 'restored', 'events.db');
    const restored = await backup.restore({ latest: true, to });
    expect(restored.key).toBe(result.key);
    expect(restored.manifest.database.sha256).toBe(result.sha256);
    const copy = new Database(to, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3000);
    expect(copy.prepare('SELECT json FROM events ORDER BY id DESC LIMIT 1').pluck().get()).toBe(
      db.prepare('SELECT json FROM events ORDER BY id DESC LIMIT 1').pluck().get(),
    );
    copy.close();
    db.close();
    backup.close();
  });

  it('reports 0 events and null timestamps for a database without an events table', async () => {
    const path = join(dir.path, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const backup = backupOn(s3, { database: path, s3: { prefix: 'no-events' } });
    const r = await backup.run();
    expect(r.manifest).toMatchObject({
      event_count: 0,
      first_timestamp: null,
      last_timestamp: null,
      schema_version: 0,
    });
    backup.close();
  });

  it('refuses to overwrite an existing file unless told, and then drops its stale WAL', async () => {
    const { path, db } = liveDb('events.db', 200);
    const backup = backupOn(s3, { database: path, s3: { prefix: 'overwrite' } });
    const { key } = await backup.run();
    const to = join(dir.path, 'existing.db');
    writeFileSync(to, 'precious');
    const refused = await backup.restore({ key, to }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ObsBackupError);
    expect((refused as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.DESTINATION_EXISTS);
    expect((refused as Error).message).toContain('overwrite');
    expect(readFileSync(to, 'utf8')).toBe('precious');

    writeFileSync(`${to}-wal`, 'stale wal');
    await backup.restore({ key, to, overwrite: true });
    expect(existsSync(`${to}-wal`)).toBe(false);
    const copy = new Database(to, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM events').pluck().get()).toBe(200);
    copy.close();
    db.close();
    backup.close();
  });

  it('rejects an archive whose database does not match the manifest sha256, leaving no file behind', async () => {
    const { path, db } = liveDb('events.db', 300);
    // a fixed clock: the forged keys below (milliseconds 999 and 998) never equal the real one
    const backup = backupOn(s3, {
      database: path,
      clock: () => Date.UTC(2025, 4, 6, 7, 8, 9, 123),
      s3: { prefix: 'corrupt' },
    });
    const { key } = await backup.run();
    const tar = gunzipSync(await download(key));
    tar[tar.length - 1024 - 700] = (tar[tar.length - 1024 - 700]! + 1) % 256;
    const badKey = key.replace(/T(\d{6})(\d{3})Z/, 'T$1999Z');
    const client = rawClient();
    await client.send(new PutObjectCommand({ Bucket: 'backups', Key: badKey, Body: gzipSync(tar) }));
    const truncatedKey = key.replace(/T(\d{6})(\d{3})Z/, 'T$1998Z');
    const whole = await download(key);
    await client.send(
      new PutObjectCommand({
        Bucket: 'backups',
        Key: truncatedKey,
        Body: whole.subarray(0, whole.length >> 1),
      }),
    );
    client.destroy();

    const to = join(dir.path, 'restored.db');
    const mismatch = await backup.restore({ key: badKey, to }).catch((e: unknown) => e);
    expect((mismatch as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.CHECKSUM_MISMATCH);
    expect((mismatch as Error).message).toMatch(/does not match its manifest/);
    const truncated = await backup.restore({ key: truncatedKey, to }).catch((e: unknown) => e);
    expect((truncated as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.ARCHIVE_INVALID);
    expect(existsSync(to)).toBe(false);
    const missing = await backup.restore({ key: `${key}.nope`, to }).catch((e: unknown) => e);
    expect((missing as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.NOT_FOUND);
    db.close();
    backup.close();
  });

  it('uploads an archive over 5 MB in several parts and restores it', async () => {
    const { path, db } = liveDb('big.db', 100);
    db.exec('CREATE TABLE blobs (b BLOB)');
    const put = db.prepare('SELECT randomblob(65536)');
    const insert = db.prepare('INSERT INTO blobs VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 180; i++) insert.run(put.pluck().get());
    })();
    const client = rawClient();
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const backup = backupOn(s3, {
      database: path,
      partSizeBytes: 5 * 1024 * 1024,
      s3: { prefix: 'multipart', client },
    });
    const r = await backup.run();
    expect(r.bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(commands.filter((c) => c === 'UploadPartCommand').length).toBeGreaterThanOrEqual(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    const to = join(dir.path, 'big-restored.db');
    const restored = await backup.restore({ key: r.key, to });
    expect(restored.manifest.database.bytes).toBe(r.databaseBytes);
    const copy = new Database(to, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(180);
    copy.close();
    db.close();
    client.destroy();
  });
});

describe('retention', () => {
  it('keeps the last N, never deletes the backup just written nor anything that is not a backup key', async () => {
    const { path, db } = liveDb('events.db', 50);
    let now = Date.UTC(2025, 2, 1, 12);
    const client = rawClient();
    const foreign = [
      'retention/notes.txt',
      'retention/2025/01/01/whatever.tar.gz',
      'retention-other/2025/01/01/20250101T000000000Z-h.tar.gz',
    ];
    for (const Key of foreign) await client.send(new PutObjectCommand({ Bucket: 'backups', Key, Body: 'x' }));
    const backup = backupOn(s3, {
      database: path,
      clock: () => now,
      host: 'h1',
      retention: { keepLast: 2 },
      s3: { prefix: 'retention' },
    });
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) {
      keys.push((await backup.run()).key);
      now += 86_400_000;
    }
    expect((await backup.listBackups()).map((b) => b.key)).toEqual([keys[3], keys[2]]);

    const ageBased = backupOn(s3, {
      database: path,
      clock: () => now,
      host: 'h1',
      s3: { prefix: 'retention' },
    });
    now += 10 * 86_400_000;
    expect(await ageBased.prune({ maxAgeDays: 5 })).toEqual([keys[2]]);
    expect((await ageBased.listBackups()).map((b) => b.key)).toEqual([keys[3]]);
    for (const Key of foreign) await client.send(new GetObjectCommand({ Bucket: 'backups', Key }));
    client.destroy();
    db.close();
  });
});

describe('failures', () => {
  it('wrong credentials give a clear AUTH error that never contains the secret', async () => {
    const { path, db } = liveDb('events.db', 20);
    const secret = 'sUp3r/S3cret+Key-0123456789';
    const backup = backupOn(s3, {
      database: path,
      s3: { credentials: { accessKeyId: 'AKIAWRONGWRONGWRONG1', secretAccessKey: secret } },
    });
    const error = await backup.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObsBackupError);
    expect((error as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.AUTH);
    expect((error as Error).message).toMatch(/InvalidAccessKeyId.*check the credentials/);
    const dump = `${inspect(error, { depth: 10, showHidden: true })} ${JSON.stringify(error)} ${String((error as Error).stack)}`;
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain('AKIAWRONGWRONGWRONG1');
    db.close();
  });

  it('a missing bucket and an unreachable endpoint each get their own reason', async () => {
    const { path, db } = liveDb('events.db', 20);
    const noBucket = await backupOn(s3, { database: path, s3: { bucket: 'does-not-exist' } })
      .run()
      .catch((e: unknown) => e);
    expect((noBucket as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.BUCKET_MISSING);
    // a gate that resets every connection keeps its port, so no other process can answer on it
    const down = await startTcpGate(s3.port, 'down');
    const unreachable = await backupOn(s3, { database: path, s3: { endpoint: down.endpoint } })
      .listBackups()
      .catch((e: unknown) => e);
    await down.close();
    expect((unreachable as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.UNREACHABLE);
    expect((unreachable as ObsBackupError).retryable).toBe(true);
    db.close();
  });

  it('a missing or non-SQLite database is a DATABASE error, and bad options are named', async () => {
    const missing = await backupOn(s3, { database: join(dir.path, 'nope.db') })
      .run()
      .catch((e: unknown) => e);
    expect((missing as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.DATABASE);
    const text = join(dir.path, 'text.db');
    writeFileSync(
      text,
      'this is not a database, just text that is long enough to have a header '.repeat(100),
    );
    const notDb = await backupOn(s3, { database: text })
      .run()
      .catch((e: unknown) => e);
    expect((notDb as ObsBackupError).reason).toBe(BACKUP_ERROR_REASONS.DATABASE);
    expect((notDb as Error).message).toContain('SQLITE_NOTADB');
    expect(() => backupOn(s3, { compressionLevel: 11, s3: { endpoint: 'ftp://x' } })).toThrow(
      ObsValidationError,
    );
    expect(() => backupOn(s3, { compressionLevel: 11 })).toThrow(/compressionLevel/);
    const noDb = await backupOn(s3)
      .run()
      .catch((e: unknown) => e);
    expect((noDb as Error).message).toMatch(/database: required/);
    const restoreBoth = await backupOn(s3)
      .restore({ key: 'k', latest: true, to: join(dir.path, 'x.db') })
      .catch((e: unknown) => e);
    expect(restoreBoth).toBeInstanceOf(ObsValidationError);
  });
});
