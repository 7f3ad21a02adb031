import { statSync } from 'node:fs';
import { assertSqliteSchemaCurrent, SqliteSchemaError } from '@obs/store-format';
import Database from 'better-sqlite3';
import { ReadStoreError } from '../read-store-error.js';

/**
 * Opens an obs SQLite file read-only and checks its schema version. Throws `ReadStoreError`:
 * `STORE_UNAVAILABLE` for a missing path or a file that is not SQLite, `UNSUPPORTED_SCHEMA` for a
 * SQLite file without the obs schema or at another version.
 */
export function openReadonly(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    db = new Database(path, { readonly: true, fileMustExist: true });
    assertSqliteSchemaCurrent(db);
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof SqliteSchemaError) {
      throw new ReadStoreError('UNSUPPORTED_SCHEMA', `"${path}" cannot be read: ${error.message}`, {
        cause: error,
      });
    }
    const message = (error as Error).message;
    const reason = /not a database|file is (encrypted|not a database)/i.test(message)
      ? 'the file is not a SQLite database'
      : message;
    throw new ReadStoreError('STORE_UNAVAILABLE', `cannot open the obs store "${path}": ${reason}`, {
      cause: error,
    });
  }
}
