/** Refresh interval of a running run's page with a tree of fewer events than this: one second. */
const SMALL_TREE_EVENTS = 5000;
/** Longest wait between two refreshes of a running run's tree. */
const MAX_REFRESH_MS = 30_000;

/**
 * How long a running run's page waits after an event arrives before reloading its tree: one
 * second for a tree of up to 5,000 events, then 0.2 ms per event (10 s at 50,000), at most 30 s,
 * so a big tree is reloaded at a rate that keeps the server's share of work per event bounded.
 */
export function treeRefreshMs(eventCount: number): number {
  if (!Number.isFinite(eventCount) || eventCount <= SMALL_TREE_EVENTS) return 1000;
  return Math.min(MAX_REFRESH_MS, Math.round((eventCount * 1000) / SMALL_TREE_EVENTS));
}
