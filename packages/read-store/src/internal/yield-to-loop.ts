/** Rows a tail reads (SQLite) or scans (JSONL) before it lets the event loop run timers and I/O. */
export const TAIL_PAGE = 500;

/** Resolves on the next turn of the event loop, after pending timers and I/O callbacks had their chance. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
