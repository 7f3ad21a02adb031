import { readJsonlEntries } from '@obs/store-format';
import { openReadonly } from '../sqlite/open-readonly.js';

/** An event of the trail that the store lacks or holds with other bytes. */
export interface StoreMismatch {
  kind: 'missing' | 'different';
  file: string;
  line: number;
  event_id: string;
}

/** What comparing a trail with a store found. */
export interface StoreCheck {
  /** Trail events looked up. */
  checked: number;
  mismatches: StoreMismatch[];
  /** Events in the store that are not in the trail (other routes or sinks wrote them, or the trail lost them). */
  onlyInStore: number;
}

/**
 * Looks every event of the trail up in the SQLite store by `event_id` and compares the stored
 * canonical JSON with the trail's line, byte for byte.
 */
export async function checkStore(trail: string, dbPath: string): Promise<StoreCheck> {
  const db = openReadonly(dbPath);
  try {
    const find = db.prepare<[string], { json: string }>('SELECT json FROM event_rows WHERE event_id = ?');
    const result: StoreCheck = { checked: 0, mismatches: [], onlyInStore: 0 };
    let found = 0;
    for await (const entry of readJsonlEntries(trail)) {
      result.checked++;
      const id = entry.envelope.event_id;
      const row = find.get(id);
      if (row !== undefined) found++;
      if (row?.json === entry.json) continue;
      result.mismatches.push({
        kind: row === undefined ? 'missing' : 'different',
        file: entry.file,
        line: entry.line,
        event_id: id,
      });
    }
    const stored = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM event_rows').get()!.n;
    result.onlyInStore = Math.max(0, stored - found);
    return result;
  } finally {
    db.close();
  }
}
