import { join } from 'node:path';
import { describeSinkContract } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteSink } from './sqlite-sink.js';
import { fixture, tempDir } from './test/fixtures.js';

// The writer thread runs the built file, so `worker: true` goes through dist/ (built before tests).
const built = (await import(
  new URL('../dist/index.js', import.meta.url).href
)) as typeof import('./index.js');

for (const worker of [false, true]) {
  describeSinkContract(
    `sqlite (${worker ? 'worker: true' : 'in-thread'})`,
    () => {
      const { dir, cleanup } = tempDir();
      const path = join(dir, 'obs.db');
      const sink = (worker ? built.createSqliteSink : createSqliteSink)({ path, worker });
      return {
        sink,
        // a connection of its own: what a reader of the file sees, not what the sink remembers
        async stored() {
          const db = new Database(path, { readonly: true, fileMustExist: true });
          try {
            return db.prepare('SELECT json FROM event_rows ORDER BY id').pluck().all() as string[];
          } finally {
            db.close();
          }
        },
        cleanup,
      };
    },
    {
      test: { describe, it, expect },
      bytes: true,
      // ON CONFLICT (event_id) DO NOTHING, summaries counted once (see README, Guarantees)
      redelivery: 'event_id',
      badOptions: {
        create: (options) => createSqliteSink(options as never),
        options: {
          path: '',
          synchronous: 'SOMETIMES',
          busyTimeoutMs: -1,
          checkpoint: 'sometimes',
          cacheSize: 1,
        },
        keys: ['path', 'synchronous', 'busyTimeoutMs', 'checkpoint', 'cacheSize'],
      },
      health: true,
      bareProcess: { module: fixture('contract-sink.mjs'), arg: { worker } },
    },
  );
}
