import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCollectorConfig, startCollector } from '@obs/collector';
import { openSqliteReadStore, type ReadStore, type TraceNode } from '@obs/read-store';

/** A real collector on a random 127.0.0.1 port, storing into SQLite + JSONL in a fresh directory. */
export async function startTestCollector() {
  const dir = mkdtempSync(join(tmpdir(), 'obs-newest-'));
  const collector = await startCollector(
    loadCollectorConfig({ OBS_DATA_DIR: dir, OBS_COLLECTOR_PORT: '0', OBS_SOURCE: 'newest-test' }),
  );
  return {
    url: collector.url,
    /** Opens the collector's SQLite database through read-store, runs `body`, closes it. */
    async read<T>(body: (store: ReadStore) => Promise<T>): Promise<T> {
      const store = openSqliteReadStore(join(dir, 'events.db'));
      try {
        return await body(store);
      } finally {
        await store.close();
      }
    },
    async close() {
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A trace tree as `type name [status]` lines, children indented. */
export function treeLines(nodes: readonly TraceNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.event.event_type} ${n.name} [${n.event.status ?? '-'}]`,
    ...treeLines(n.children, depth + 1),
  ]);
}
