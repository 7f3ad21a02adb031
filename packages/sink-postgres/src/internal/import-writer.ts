import { ObsTransientError } from '@obs/core';
import { type FactEvent, migratePostgresSchema } from '@obs/store-format';
import pg from 'pg';
import { BatchWriter } from './batch-writer.js';
import { breaksConnection, writeError } from './classify-error.js';
import { type ConnectionSettings, checkOut, clientConfig } from './connection-config.js';
import { prepareBatch } from './prepared-batch.js';

/** Tries of one batch: another pending batch may hold one of its ids or create its partition. */
const ATTEMPTS = 5;

/**
 * The live sink's `BatchWriter` over a pool of connections, for an import that keeps several batches
 * in flight: each batch is one transaction on its own connection, retried when the failure is
 * transient (a concurrent batch committed one of its ids first, a lock, a lost connection).
 */
export class ImportWriter {
  readonly #pool: pg.Pool;
  readonly #writer: BatchWriter;
  readonly #settings: ConnectionSettings;
  readonly #redact: (text: string) => string;

  constructor(
    settings: ConnectionSettings,
    options: { connections: number; partitionsAhead: number; redact: (text: string) => string },
  ) {
    this.#settings = settings;
    this.#redact = options.redact;
    this.#pool = new pg.Pool({ ...clientConfig(settings), max: options.connections });
    // an idle connection the server ended: the pool drops it and the next batch connects again
    this.#pool.on('error', () => {});
    this.#writer = new BatchWriter(settings.schema, options.partitionsAhead);
  }

  /** Creates or migrates the schema and today's partitions; errors are password-free. */
  async open(): Promise<void> {
    try {
      const client = await checkOut(this.#pool);
      try {
        await migratePostgresSchema(client, this.#settings.schema);
        await this.#writer.prepare(client);
      } finally {
        client.release();
      }
    } catch (error) {
      throw writeError('the import could not open the schema', error, this.#redact);
    }
  }

  /** Commits one batch; returns how many events were new (ids found stored are left out of the next try). */
  async write(events: readonly FactEvent[]): Promise<number> {
    const skip = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      let broken: Error | undefined;
      const client = await checkOut(this.#pool).catch((error: unknown) => {
        throw writeError('the import could not connect', error, this.#redact);
      });
      try {
        const outcome = await this.#writer.write(client, prepareBatch(events, skip));
        if ('inserted' in outcome) return outcome.inserted;
        for (const id of outcome.stored) skip.add(id);
        if (attempt === ATTEMPTS) {
          throw new ObsTransientError('the import kept meeting ids committed by other writers');
        }
      } catch (error) {
        if (breaksConnection(error)) broken = error as Error;
        const wrapped = writeError('the import could not write a batch', error, this.#redact);
        if (!(wrapped instanceof ObsTransientError) || attempt === ATTEMPTS) throw wrapped;
      } finally {
        client.release(broken);
      }
    }
  }

  /** Ends the connections. */
  close(): Promise<void> {
    return this.#pool.end();
  }
}
