import { workerData } from 'node:worker_threads';
import { migratePostgresSchema, type PostgresMigrationResult } from '@obs/store-format';
import pg from 'pg';
import { BatchWriter, type WriteOutcome } from './batch-writer.js';
import { breaksConnection } from './classify-error.js';
import { checkOut, clientConfig } from './connection-config.js';
import type { PreparedBatch } from './prepared-batch.js';
import type { WriterReply, WriterRequest, WriterThreadData } from './writer-thread.js';

const data = workerData as WriterThreadData;
const port = data.port;
const flag = new Int32Array(data.flag);
const pool = new pg.Pool({
  ...clientConfig(data.settings),
  max: data.connections,
  idleTimeoutMillis: 10_000,
});
// an idle connection the server ended: the pool drops it and the next write connects again
pool.on('error', () => {});
const writer = new BatchWriter(data.settings.schema, data.partitionsAhead);
let opened: Promise<PostgresMigrationResult> | undefined;

/** Connects, migrates and creates today's partitions, once (again after a failure). */
function open(): Promise<PostgresMigrationResult> {
  opened ??= (async () => {
    const client = await checkOut(pool);
    try {
      const migration = await migratePostgresSchema(client, data.settings.schema);
      await writer.prepare(client);
      return migration;
    } finally {
      client.release();
    }
  })().catch((error: unknown) => {
    opened = undefined;
    throw error;
  });
  return opened;
}

async function commit(batch: PreparedBatch): Promise<WriteOutcome> {
  await open();
  const client = await checkOut(pool);
  let broken: Error | undefined;
  try {
    return await writer.write(client, batch);
  } catch (error) {
    if (breaksConnection(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

function reply(request: WriterRequest, message: Omit<WriterReply, 'id'>): void {
  port.postMessage({ id: request.id, ...message } satisfies WriterReply);
  if (request.kind === 'write' && request.sync) {
    Atomics.add(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
}

const failed = (error: Error & { code?: unknown }) => ({
  error: { message: error.message, ...(typeof error.code === 'string' ? { code: error.code } : {}) },
});

port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    void pool.end().finally(() => {
      reply(request, {});
      port.close();
    });
    return;
  }
  const work: Promise<Omit<WriterReply, 'id'>> =
    request.kind === 'write'
      ? commit(request.batch).then((outcome) => ({ outcome }))
      : open().then((migration) => ({ migration }));
  work.then(
    (result) => reply(request, result),
    (error: Error) => reply(request, failed(error)),
  );
});
