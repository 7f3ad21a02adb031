import { pipeline } from 'node:stream/promises';
import { type Envelope, serializeEnvelope } from '@obs/core';
import {
  ensurePostgresPartitions,
  migratePostgresSchema,
  POSTGRES_EVENT_COLUMNS,
  postgresEventValues,
  uuidv7Ms,
} from '@obs/store-format';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { serverCpuUs } from './proc-cpu.js';

const DAY_MS = 86_400_000;
const COPY_SQL = `COPY events (${POSTGRES_EVENT_COLUMNS.join(', ')}) FROM STDIN`;

const copyValue = (v: string | number | null) =>
  v === null
    ? '\\N'
    : typeof v === 'number'
      ? String(v)
      : v.replace(/[\\\n\r\t]/g, (c) =>
          c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
        );

/** The `COPY` text of `envelopes` (JSON made here by core's canonical serializer), in `POSTGRES_EVENT_COLUMNS` order. */
export function copyText(envelopes: readonly Envelope[]): string {
  let text = '';
  for (const e of envelopes) {
    const values = postgresEventValues(e, Date.parse(e.timestamp), serializeEnvelope(e));
    text += `${values.map(copyValue).join('\t')}\n`;
  }
  return text;
}

/** `envelopes` in batches of `size`. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Opens a client on `schema` with the obs schema migrated and the partitions of `envelopes` created. */
async function bareClient(url: string, schema: string, envelopes: readonly Envelope[]): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await migratePostgresSchema(client, schema);
  await ensurePostgresPartitions(client, [
    ...new Set(envelopes.map((e) => Math.floor(uuidv7Ms(e.event_id) / DAY_MS) * DAY_MS)),
  ]);
  return client;
}

/** One transaction: `BEGIN`, `COPY` of `text` into `events`, `COMMIT`. */
async function copyBatch(client: pg.Client, text: string): Promise<void> {
  await client.query('BEGIN');
  await pipeline(
    async function* () {
      yield Buffer.from(text);
    },
    client.query(copyFrom(COPY_SQL)),
  );
  await client.query('COMMIT');
}

/** What one bare loop measured: events/s, and CPU µs per event of this process and of the server. */
export interface BareCopyResult {
  rate: number;
  hostCpu: number;
  /** Undefined when the server is not a local one this process can see. */
  serverCpu: number | undefined;
}

/**
 * The ceiling: `envelopes` `COPY`ed straight into `events` of a new schema (same table, partitions and
 * indexes; no idempotency, summaries or rollups), one transaction per batch of `batchSize`, on
 * `connections` connections at once. With `formatInClock` the COPY text (and the JSON) is made inside
 * the clock from the envelope objects, as a hand-written loop must; otherwise beforehand. `serverPort`
 * names a local server whose CPU is counted.
 */
export async function bareCopy(
  url: string,
  schema: string,
  envelopes: readonly Envelope[],
  options: { batchSize: number; connections?: number; formatInClock?: boolean; serverPort?: number },
): Promise<BareCopyResult> {
  const clients = [await bareClient(url, schema, envelopes)];
  for (let c = 1; c < (options.connections ?? 1); c++) {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    clients.push(client);
  }
  const batches = inBatches(envelopes, options.batchSize);
  const texts = options.formatInClock ? [] : batches.map(copyText);
  const clock = startClock(options.serverPort);
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      for (let b = next++; b < batches.length; b = next++) {
        await copyBatch(client, texts[b] ?? copyText(batches[b]!));
      }
    }),
  );
  const result = clock.stop(envelopes.length);
  for (const client of clients) await client.end();
  return result;
}

/** Starts timing wall time, this process's CPU and (with `serverPort`) the local server's CPU. */
export function startClock(serverPort: number | undefined): { stop(events: number): BareCopyResult } {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const server = serverPort === undefined ? undefined : serverCpuUs(serverPort);
  return {
    stop(events) {
      const used = process.cpuUsage(cpu);
      const serverNow = serverPort === undefined ? undefined : serverCpuUs(serverPort);
      return {
        rate: events / ((performance.now() - start) / 1000),
        hostCpu: (used.user + used.system) / events,
        serverCpu:
          server === undefined || serverNow === undefined ? undefined : (serverNow - server) / events,
      };
    },
  };
}
