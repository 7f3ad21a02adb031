/** True when SQLite refused a lock another connection holds (`SQLITE_BUSY*`, `SQLITE_LOCKED*`). */
export function isBusyError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')))
      return true;
  }
  return false;
}

/** Backoff before busy retry `attempt` (0-based): 2 ms doubling to 200 ms, with jitter so writers spread out. */
export function busyBackoffMs(attempt: number): number {
  const base = Math.min(200, 2 * 2 ** attempt);
  return base / 2 + Math.random() * base;
}

/** Sleeps synchronously; only used while opening, where the host is still starting. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
