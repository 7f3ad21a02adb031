import type * as SinkJsonl from '@obs/sink-jsonl';
import type * as SinkSqlite from '@obs/sink-sqlite';
import { type CliArgs, timeOption, UsageError } from './args.js';
import { auditKey } from './audit-key.js';
import type { Output } from './commands.js';
import { loadWriter } from './writer-package.js';

/**
 * `obs prune --before <time> [--store <file.db>] [--trail <dir>]`: retention. The SQLite store loses
 * its events before the time (summaries and rollups kept consistent, space reclaimed in steps);
 * the trail loses whole rotated files only, recorded in its prune ledger.
 */
export async function pruneCommand(args: CliArgs, out: Output): Promise<number> {
  const v = args.values;
  const before = timeOption(v.before);
  if (before === undefined || !Number.isFinite(Date.parse(before))) {
    throw new UsageError('obs prune expects --before <ISO time | age like 30d>');
  }
  if (v.store === undefined && v.trail === undefined) {
    throw new UsageError('obs prune expects --store <file.db>, --trail <dir>, or both');
  }
  const lines: string[] = [];
  if (v.store !== undefined) {
    const { pruneSqlite } = await loadWriter<typeof SinkSqlite>('@obs/sink-sqlite', 'prune');
    const r = await pruneSqlite(v.store, { before });
    const space =
      r.autoVacuum === 'incremental'
        ? `${r.freedPages} pages returned to the file system`
        : 'freed pages stay in the file for reuse (it predates auto_vacuum=incremental; VACUUM once to switch)';
    lines.push(
      `obs prune: ${r.events} events before ${before} removed from ${v.store}; runs ${r.runs.updated} recomputed, ` +
        `${r.runs.deleted} removed; sessions ${r.sessions.updated} recomputed, ${r.sessions.deleted} removed; ${space}`,
    );
  }
  if (v.trail !== undefined) {
    const { pruneTrail } = await loadWriter<typeof SinkJsonl>('@obs/sink-jsonl', 'prune');
    const key = auditKey(v['key-file']);
    const r = await pruneTrail(v.trail, { before, ...(key ? { key } : {}), dryRun: v['dry-run'] === true });
    lines.push(
      `obs prune: ${r.files.length} trail files (${(r.bytes / 1e6).toFixed(1)} MB) before ${before} ${v['dry-run'] ? 'would be ' : ''}removed from ${v.trail}`,
    );
  }
  await out.write(`${lines.join('\n')}\n`);
  return 0;
}
