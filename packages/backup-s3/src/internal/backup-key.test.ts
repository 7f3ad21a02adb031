import { describe, expect, it } from 'vitest';
import { backupKey, normalizePrefix, parseBackupKey } from './backup-key.js';
import { selectExpired } from './retention.js';

describe('backup keys', () => {
  it('sort by time, round-trip, and reject anything else', () => {
    const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    const key = backupKey('a/b', at, 'my host/../x');
    expect(key).toBe('a/b/2025/01/02/20250102T030405006Z-my_host_.._x.tar.gz');
    expect(parseBackupKey('a/b', key)).toEqual({ createdAt: at, host: 'my_host_.._x' });
    expect(parseBackupKey('a', key)).toBeUndefined();
    expect(parseBackupKey('a/b', 'a/b/2025/01/03/20250102T030405006Z-h.tar.gz')).toBeUndefined();
    expect(parseBackupKey('a/b', 'a/b/notes.txt')).toBeUndefined();
    expect(normalizePrefix('/x//y/')).toBe('x/y');
    expect(
      backupKey('a', new Date(Date.UTC(2025, 0, 1)), 'h') <
        backupKey('a', new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 1)), 'h'),
    ).toBe(true);
  });

  it('retention keeps what any rule keeps, the newest, and the protected key', () => {
    const day = 86_400_000;
    const now = Date.UTC(2025, 0, 10);
    const entries = [0, 1, 2, 3, 20, 30].map((d) => ({
      key: `k${d}`,
      bytes: 1,
      host: 'h',
      createdAt: new Date(now - d * day),
      lastModified: undefined,
    }));
    const keys = (r: Parameters<typeof selectExpired>[1], protect?: string) =>
      selectExpired(entries, r, now, protect).map((e) => e.key);
    expect(keys({})).toEqual([]);
    expect(keys({ keepLast: 2 })).toEqual(['k2', 'k3', 'k20', 'k30']);
    expect(keys({ maxAgeDays: 5 })).toEqual(['k20', 'k30']);
    expect(keys({ keepLast: 5, maxAgeDays: 1 })).toEqual(['k30']);
    expect(keys({ keepLast: 1 }, 'k3')).toEqual(['k1', 'k2', 'k20', 'k30']);
    const allOld = entries.slice(4);
    expect(selectExpired(allOld, { maxAgeDays: 1 }, now).map((e) => e.key)).toEqual(['k30']);
  });
});
