import { open, stat } from 'node:fs/promises';
import { isPostgresUrl } from '@obs/store-format';
import { openJsonlReadStore } from './jsonl/jsonl-read-store.js';
import type { PostgresReadStoreOptions } from './postgres/postgres-connection.js';
import { openPostgresReadStore } from './postgres/postgres-read-store.js';
import type { ReadStore } from './read-store.js';
import { ReadStoreError } from './read-store-error.js';
import { openSqliteReadStore } from './sqlite/sqlite-read-store.js';

/** Options of {@link openReadStore}. */
export interface OpenReadStoreOptions {
  /**
   * `auto` (default): a `postgres://` URL is a PostgreSQL store, a directory or `.jsonl`/`.jsonl.gz`
   * file a JSONL trail, a SQLite file a database.
   */
  kind?: 'auto' | 'sqlite' | 'jsonl' | 'postgres';
  /** For a PostgreSQL store: schema, TLS, pool size. */
  postgres?: PostgresReadStoreOptions;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/**
 * Opens the obs store at `path` (a file, a directory or a `postgres://` URL), choosing the backend from what is there. Throws `ReadStoreError`
 * `STORE_UNAVAILABLE` for a missing path or a file that is neither, `UNSUPPORTED_SCHEMA` for a
 * SQLite file that is not an obs database of this version.
 */
export async function openReadStore(path: string, options: OpenReadStoreOptions = {}): Promise<ReadStore> {
  const kind = options.kind ?? 'auto';
  if (kind === 'postgres' || (kind === 'auto' && isPostgresUrl(path))) {
    return openPostgresReadStore(path, options.postgres);
  }
  if (kind === 'sqlite') return openSqliteReadStore(path);
  if (kind === 'jsonl') return openJsonlReadStore(path);
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (error) {
    throw new ReadStoreError('STORE_UNAVAILABLE', `no obs store at "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (isDir || /\.jsonl(\.gz)?$/.test(path)) return openJsonlReadStore(path);
  if ((await head(path)) === SQLITE_MAGIC) return openSqliteReadStore(path);
  throw new ReadStoreError(
    'STORE_UNAVAILABLE',
    `"${path}" is not an obs store: expected a SQLite database written by @obs/sink-sqlite, ` +
      'or a JSONL trail (a directory or a .jsonl file) written by @obs/sink-jsonl',
  );
}

async function head(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const { bytesRead } = await file.read(buffer, 0, 16, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await file.close();
  }
}
