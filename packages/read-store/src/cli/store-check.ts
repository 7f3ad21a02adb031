import { isPostgresUrl, type JsonlEntry, readJsonlEntries } from '@obs/store-format';
import type { EventJsonLookup } from '../event-json-lookup.js';
import type { PostgresReadStoreOptions } from '../postgres/postgres-connection.js';
import { openPostgresEventLookup } from '../postgres/postgres-event-lookup.js';
import { openSqliteEventLookup } from '../sqlite/sqlite-event-lookup.js';

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

const BATCH = 1000;

/**
 * Looks every event of the trail up in the store (a SQLite file or a `postgres://` URL) by
 * `event_id`, a batch at a time, and compares the stored canonical JSON with the trail's line, byte for byte.
 */
export async function checkStore(
  trail: string,
  store: string,
  postgres: PostgresReadStoreOptions = {},
): Promise<StoreCheck> {
  const lookup: EventJsonLookup = isPostgresUrl(store)
    ? await openPostgresEventLookup(store, postgres)
    : openSqliteEventLookup(store);
  try {
    const result: StoreCheck = { checked: 0, mismatches: [], onlyInStore: 0 };
    let found = 0;
    let batch: JsonlEntry[] = [];
    const compare = async () => {
      const stored = await lookup.jsonOf(batch.map((e) => e.envelope.event_id));
      for (const entry of batch) {
        const id = entry.envelope.event_id;
        const json = stored.get(id);
        if (json !== undefined) found++;
        if (json === entry.json) continue;
        result.mismatches.push({
          kind: json === undefined ? 'missing' : 'different',
          file: entry.file,
          line: entry.line,
          event_id: id,
        });
      }
      batch = [];
    };
    for await (const entry of readJsonlEntries(trail)) {
      result.checked++;
      batch.push(entry);
      if (batch.length >= BATCH) await compare();
    }
    await compare();
    result.onlyInStore = Math.max(0, (await lookup.count()) - found);
    return result;
  } finally {
    await lookup.close();
  }
}
