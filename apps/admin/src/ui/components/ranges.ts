/** Time ranges the filters offer. */
export const RANGES = [
  { key: 'all', label: 'any time', ms: 0 },
  { key: '1h', label: 'last hour', ms: 3_600_000 },
  { key: '24h', label: 'last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'last 30 days', ms: 30 * 86_400_000 },
] as const;

/** ISO start of a range, or undefined for "any time". */
export function rangeStart(key: string, now = Date.now()): string | undefined {
  const range = RANGES.find((r) => r.key === key);
  return range && range.ms > 0 ? new Date(now - range.ms).toISOString() : undefined;
}
