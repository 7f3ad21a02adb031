import type { BackupEntry } from '../backup-entry.js';
import type { Retention } from '../options.js';

const DAY_MS = 86_400_000;

/**
 * Backups to delete, given newest-first entries. A backup is kept when any rule keeps it (among the `keepLast`
 * newest, or younger than `maxAgeDays`); the newest backup and `protect` are always kept; no rule means keep all.
 */
export function selectExpired(
  newestFirst: readonly BackupEntry[],
  retention: Retention,
  now: number,
  protect?: string,
): BackupEntry[] {
  const { keepLast, maxAgeDays } = retention;
  if (keepLast === undefined && maxAgeDays === undefined) return [];
  return newestFirst.filter((b, i) => {
    if (i === 0 || b.key === protect) return false;
    const keptByCount = keepLast !== undefined && i < keepLast;
    const keptByAge = maxAgeDays !== undefined && now - b.createdAt.getTime() < maxAgeDays * DAY_MS;
    return !keptByCount && !keptByAge;
  });
}
