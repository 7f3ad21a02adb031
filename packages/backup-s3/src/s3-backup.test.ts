import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type Envelope, ObsValidationError, serializeEnvelope } from '@obs/core';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '@obs/store-format';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentEvents } from './test/agent-events.js';
import { built } from './test/built.js';
import { backupOn, liveEventDb, tempDir } from './test/fixtures.js';
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from './test/s3-server.js';
import { startTcpGate } from './test/tcp-gate.js';

// errors come from the build too, where the backups (and their worker threads) run: see test/built.ts
const { BACKUP_ERROR_CODES, ObsBackupError } = await built<typeof import('./index.js')>('index.js');
type ObsBackupError = InstanceType<typeof ObsBackupError>;

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

/** A database written by `@obs/sink-sqlite`, its sink still open. */
const liveDb = (name: string, count: number, options: Parameters<typeof liveEventDb>[2] = {}) =>
  liveEventDb(join(dir.path, name), count, options);

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
  it('round-trips a live WAL database whose writes are all still in the WAL', async () => {
    // no checkpoints at all: every page the sink wrote is in the WAL, none in the database file
    const live = await liveDb('events.db', 3000, { checkpoint: 'writer', walAutocheckpointPages: 0 });
    const { path, written } = live;
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(10 * statSync(path).size);
    const backup = backupOn(s3, { database: path, s3: { prefix: 'roundtrip' } });
    const result = await backup.run();
    expect(result.key).toMatch(/^roundtrip\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{9}Z-[A-Za-z0-9._-]+\.tar\.gz$/);
    expect(result.eventCount).toBe(3000);
    expect(result.bytes).toBeLessThan(result.databaseBytes / 2);
    expect(result.manifest.schema_version).toBe(SQLITE_SCHEMA_VERSION);
    expect(result.manifest.first_timestamp).toBe(written[0]!.timestamp);
    expect(result.manifest.last_timestamp).toBe(written.at(-1)!.timestamp);

    const list = await backup.listBackups();
    expect(list.map((b) => b.key)).toEqual([result.key]);
    expect(list[0]!.bytes).toBe(result.bytes);

    const to = join(dir.path, 'restored', 'events.db');
    const restored = await backup.restore({ latest: true, to });
    expect(restored.key).toBe(result.key);
    expect(restored.manifest.database.sha256).toBe(result.sha256);
    const copy = new Database(to, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    expect(copy.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3000);
    expect(copy.prepare('SELECT json FROM events ORDER BY id DESC LIMIT 1').pluck().get()).toBe(
      serializeEnvelope(written.at(-1)!),
    );
    // the summaries the sink keeps in the same transactions came along
    expect(copy.prepare('SELECT sum(event_count) FROM runs').pluck().get()).toBe(3000);
    copy.close();
    await live.close();
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

  it('reads the count and time range of a schema 1 file from its events table', async () => {
    const path = join(dir.path, 'v1.db');
    const db = new Database(path);
    db.exec(SQLITE_MIGRATIONS.find((m) => m.version === 1)!.up);
    db.pragma('user_version = 1');
    const insert = db.prepare(
      'INSERT INTO events (event_id, event_type, timestamp, seq, source, run_id, json) VALUES (?,?,?,?,?,?,?)',
    );
    const events = agentEvents(7);
    const written = Array.from({ length: 50 }, () => events.next().value as Envelope);
    for (const e of written) {
      insert.run(e.event_id, e.event_type, e.timestamp, e.seq, e.source, e.run_id, serializeEnvelope(e));
    }
    db.close();
    const backup = backupOn(s3, { database: path, s3: { prefix: 'schema-1' } });
    expect((await backup.run()).manifest).toMatchObject({
      event_count: 50,
      first_timestamp: written[0]!.timestamp,
      last_timestamp: written[49]!.timestamp,
      schema_version: 1,
    });
    backup.close();
  });

  // a backup and its restore drill beside a live writer: a minute or more on a loaded 2-core machine
  it('snapshots one consistent point in time while the sink goes on writing', async () => {
    const live = await liveDb('events.db', 2000);
    const backup = backupOn(s3, { database: live.path, s3: { prefix: 'concurrent' } });
    const running = backup.run();
    let done = false;
    const finished = () => {
      done = true;
    };
    running.then(finished, finished);
    // the sink commits a batch on every turn of the event loop until the backup is done
    for (let batches = 0; !done && batches < 2000; batches++) {
      await live.write(10, 10);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await running;
    const count = result.eventCount;
    expect(count).toBeGreaterThanOrEqual(2000);
    expect(count).toBeLessThanOrEqual(live.written.length);
    expect(live.written.length).toBeGreaterThan(2000);

    const to = join(dir.path, 'snapshot.db');
    await backup.restore({ key: result.key, to });
    const copy = new Database(to, { readonly: true });
    // exactly the first `count` events the sink committed, and the summaries of exactly those
    const ids = copy.prepare('SELECT event_id FROM events ORDER BY id').pluck().all();
    expect(ids).toEqual(live.written.slice(0, count).map((e) => e.event_id));
    expect(copy.prepare('SELECT sum(event_count) FROM runs').pluck().get()).toBe(count);
    expect(result.manifest.first_timestamp).toBe(live.written[0]!.timestamp);
    expect(result.manifest.last_timestamp).toBe(live.written[count - 1]!.timestamp);
    copy.close();
    await live.close();
    backup.close();
  }, 120_000);

  it('refuses to overwrite an existing file unless told, and then drops its stale WAL', async () => {
    const live = await liveDb('events.db', 200);
    const { path } = live;
    const backup = backupOn(s3, { database: path, s3: { prefix: 'overwrite' } });
    const { key } = await backup.run();
    const to = join(dir.path, 'existing.db');
    writeFileSync(to, 'precious');
    const refused = await backup.restore({ key, to }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ObsBackupError);
    expect((refused as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.DESTINATION_EXISTS);
    expect((refused as Error).message).toContain('overwrite');
    expect(readFileSync(to, 'utf8')).toBe('precious');

    writeFileSync(`${to}-wal`, 'stale wal');
    await backup.restore({ key, to, overwrite: true });
    expect(existsSync(`${to}-wal`)).toBe(false);
    const copy = new Database(to, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM events').pluck().get()).toBe(200);
    copy.close();
    await live.close();
    backup.close();
  });

  it('rejects an archive whose database does not match the manifest sha256, leaving no file behind', async () => {
    const live = await liveDb('events.db', 300);
    const { path } = live;
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
    expect((mismatch as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.CHECKSUM_MISMATCH);
    expect((mismatch as Error).message).toMatch(/does not match its manifest/);
    const truncated = await backup.restore({ key: truncatedKey, to }).catch((e: unknown) => e);
    expect((truncated as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.ARCHIVE_INVALID);
    expect(existsSync(to)).toBe(false);
    const missing = await backup.restore({ key: `${key}.nope`, to }).catch((e: unknown) => e);
    expect((missing as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.NOT_FOUND);
    await live.close();
    backup.close();
  });

  it('uploads an archive over 5 MB in several parts and restores it', async () => {
    const live = await liveDb('big.db', 100);
    const { path } = live;
    // incompressible padding beside the events, from a second connection
    const db = new Database(path);
    db.exec('CREATE TABLE blobs (b BLOB)');
    const put = db.prepare('SELECT randomblob(65536)');
    const insert = db.prepare('INSERT INTO blobs VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 180; i++) insert.run(put.pluck().get());
    })();
    db.close();
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
    await live.close();
    client.destroy();
  });
});

describe('retention', () => {
  it('keeps the last N, never deletes the backup just written nor anything that is not a backup key', async () => {
    const live = await liveDb('events.db', 50);
    const { path } = live;
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
    await live.close();
  });
});

describe('failures', () => {
  it('wrong credentials give a clear AUTH error that never contains the secret', async () => {
    const live = await liveDb('events.db', 20);
    const { path } = live;
    const secret = 'sUp3r/S3cret+Key-0123456789';
    const backup = backupOn(s3, {
      database: path,
      s3: { credentials: { accessKeyId: 'AKIAWRONGWRONGWRONG1', secretAccessKey: secret } },
    });
    const error = await backup.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObsBackupError);
    expect((error as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.AUTH);
    expect((error as Error).message).toMatch(/InvalidAccessKeyId.*check the credentials/);
    const dump = `${inspect(error, { depth: 10, showHidden: true })} ${JSON.stringify(error)} ${String((error as Error).stack)}`;
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain('AKIAWRONGWRONGWRONG1');
    await live.close();
  });

  it('a missing bucket and an unreachable endpoint each get their own reason', async () => {
    const live = await liveDb('events.db', 20);
    const { path } = live;
    const noBucket = await backupOn(s3, { database: path, s3: { bucket: 'does-not-exist' } })
      .run()
      .catch((e: unknown) => e);
    expect((noBucket as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.BUCKET_MISSING);
    // a gate that resets every connection keeps its port, so no other process can answer on it
    const down = await startTcpGate(s3.port, 'down');
    const unreachable = await backupOn(s3, { database: path, s3: { endpoint: down.endpoint } })
      .listBackups()
      .catch((e: unknown) => e);
    await down.close();
    expect((unreachable as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.UNREACHABLE);
    expect((unreachable as ObsBackupError).retryable).toBe(true);
    await live.close();
  });

  it('a missing or non-SQLite database is a DATABASE error, and bad options are named', async () => {
    const missing = await backupOn(s3, { database: join(dir.path, 'nope.db') })
      .run()
      .catch((e: unknown) => e);
    expect((missing as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.DATABASE);
    const text = join(dir.path, 'text.db');
    writeFileSync(
      text,
      'this is not a database, just text that is long enough to have a header '.repeat(100),
    );
    const notDb = await backupOn(s3, { database: text })
      .run()
      .catch((e: unknown) => e);
    expect((notDb as ObsBackupError).code).toBe(BACKUP_ERROR_CODES.DATABASE);
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
