import type { Page, StoredEvent } from '@obs/read-store';
import { useEffect, useState } from 'preact/hooks';
import { summarizeDrops } from '../drop-summary.js';
import { formatAgo, formatCount } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

const WINDOW_MS = 24 * 60 * 60 * 1000;
const REFRESH_MS = 60_000;

/**
 * A warning above every page when some sink lost events in the last 24 h, from the `obs.dropped`
 * events the service recorded in the store; refreshed every minute, dismissible until a new report.
 */
export function DropBanner() {
  const [from] = useState(() => new Date(Date.now() - WINDOW_MS).toISOString());
  const [dismissed, setDismissed] = useState<string | null>(null);
  const drops = useApi<Page<StoredEvent>>(['events'], {
    type: 'obs.dropped',
    from,
    order: 'desc',
    limit: 200,
  });
  useEffect(() => {
    const timer = setInterval(drops.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [drops.reload]);
  const items = drops.data?.items ?? [];
  const latest = items[0]?.envelope.event_id ?? null;
  if (latest === null || latest === dismissed) return null;
  const sinks = summarizeDrops(items.map((i) => i.envelope));
  return (
    <div class="error-box drop-banner" role="alert" data-testid="drop-banner">
      <strong>Events were lost in the last 24 h.</strong>{' '}
      {sinks.map((s) => (
        <span key={s.sink} class="drop-sink">
          Sink <code>{s.sink}</code> lost {formatCount(s.lost)} (
          {Object.entries(s.reasons)
            .map(([reason, n]) => `${reason.replace(/_/g, ' ')} ${formatCount(n)}`)
            .join(', ')}
          ), last {formatAgo(s.lastAt)}.{' '}
        </span>
      ))}
      {drops.data?.next_cursor ? 'More reports than shown. ' : ''}
      <a href={href('runs', items[0]!.envelope.run_id)}>Reports</a>{' '}
      <button type="button" class="drop-dismiss" onClick={() => setDismissed(latest)}>
        Dismiss
      </button>
    </div>
  );
}
