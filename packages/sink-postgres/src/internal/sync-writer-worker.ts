import { workerData } from 'node:worker_threads';
import type { Envelope } from '@obs/core';
import { migratePostgresSchema } from '@obs/store-format';
import pg from 'pg';
import { BatchWriter } from './batch-writer.js';
import { clientConfig } from './connection-config.js';
import type { SyncWriterData, SyncWriterReply } from './sync-writer.js';

const data = workerData as SyncWriterData;
const port = data.port;
const flag = new Int32Array(data.flag);
const writer = new BatchWriter(data.settings.schema, data.partitionsAhead);
let client: pg.Client | undefined;

async function commit(lines: string[]): Promise<number> {
  if (client === undefined) {
    const next = new pg.Client(clientConfig(data.settings));
    next.on('error', () => {
      if (client === next) client = undefined;
    });
    await next.connect();
    await migratePostgresSchema(next, data.settings.schema);
    client = next;
  }
  try {
    return await writer.write(
      client,
      lines.map((json) => ({ envelope: JSON.parse(json) as Envelope, json })),
    );
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || code.startsWith('08')) {
      await client.end().catch(() => {});
      client = undefined;
    }
    throw error;
  }
}

port.on('message', (lines: string[]) => {
  commit(lines).then(
    (inserted) => reply({ inserted }),
    (error: Error & { code?: unknown }) =>
      reply({
        error: { message: error.message, ...(typeof error.code === 'string' ? { code: error.code } : {}) },
      }),
  );
});

function reply(message: SyncWriterReply): void {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
