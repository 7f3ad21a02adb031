import { DEFAULT_POSTGRES_SCHEMA, POSTGRES_SCHEMA_NAME_PATTERN } from '@obs/store-format';
import pg from 'pg';
import { z } from 'zod';

/** Options of `openPostgresReadStore`. */
export interface PostgresReadStoreOptions {
  /** The schema obs writes into (default `obs`). */
  schema?: string;
  /** TLS settings handed to `pg` as they are: `true`, or Node `tls.connect` options. */
  ssl?: boolean | Record<string, unknown>;
  /** Connections of the store's pool (default 4); each live tail holds one more of its own. */
  connections?: number;
  connectTimeoutMs?: number;
}

/** Zod schema of {@link PostgresReadStoreOptions}. */
export const PostgresReadStoreOptionsSchema = z.strictObject({
  schema: z
    .string()
    .regex(POSTGRES_SCHEMA_NAME_PATTERN, 'expected lower-case letters, digits and "_", at most 48')
    .default(DEFAULT_POSTGRES_SCHEMA),
  ssl: z.union([z.boolean(), z.looseObject({})], 'expected true/false or TLS options').optional(),
  connections: z.number().int().min(1).max(64).default(4),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});

const INT8 = 20;

/** `pg` settings of a reader connection: the schema on `search_path`, bigint read as a number, TLS passed through. */
export function readerConfig(
  url: string,
  o: z.output<typeof PostgresReadStoreOptionsSchema>,
): pg.ClientConfig {
  return {
    connectionString: url,
    ...(o.ssl === undefined ? {} : { ssl: o.ssl as pg.ClientConfig['ssl'] }),
    connectionTimeoutMillis: o.connectTimeoutMs,
    application_name: 'obs-read-store',
    options: `-c search_path=${o.schema} -c default_transaction_read_only=on`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  };
}
