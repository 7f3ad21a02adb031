import type { EventJsonLookup } from '../event-json-lookup.js';
import { openReadonly } from './open-readonly.js';

/** An {@link EventJsonLookup} over an obs SQLite file, read-only (one primary-key probe per id). */
export function openSqliteEventLookup(path: string): EventJsonLookup {
  const db = openReadonly(path);
  const find = db.prepare<[string], { json: string }>('SELECT json FROM event_rows WHERE event_id = ?');
  return {
    async jsonOf(ids) {
      const found = new Map<string, string>();
      for (const id of ids) {
        const row = find.get(id);
        if (row !== undefined) found.set(id, row.json);
      }
      return found;
    },
    async count() {
      return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM event_rows').get()!.n;
    },
    async close() {
      db.close();
    },
  };
}
