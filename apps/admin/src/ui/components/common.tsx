import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';

/** A coloured status pill. */
export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return <span class="badge badge-none">—</span>;
  const tone =
    status === 'ok' || status === 'success'
      ? 'ok'
      : status === 'running'
        ? 'running'
        : status === 'cancelled' || status === 'timeout'
          ? 'warn'
          : 'error';
  return <span class={`badge badge-${tone}`}>{status}</span>;
}

/** An event type chip, coloured by family (`llm.*`, `tool.*`, `span`…). */
export function TypeChip({ type }: { type: string }) {
  const family = type.split('.')[0] ?? type;
  return <span class={`chip chip-${family.replace(/[^a-z0-9_]/g, '')}`}>{type}</span>;
}

/** A failed request, with the server's reasons. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 401) {
    return (
      <div class="error-box" role="alert">
        <strong>A token is required.</strong> Open the address the server printed with <code>?token=…</code>{' '}
        appended, once; the browser keeps it in a cookie.
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error-box" role="alert">
      <strong>
        {error instanceof ApiError && error.status === 404 ? 'Not found. ' : 'Request failed. '}
      </strong>
      {message}
      {error instanceof ApiError && error.issues.length > 0 && (
        <ul>
          {error.issues.map((i) => (
            <li key={i.path + i.message}>
              <code>{i.path}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A quiet placeholder while a request runs. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return <div class="loading">{what}…</div>;
}

/** A page heading with optional actions on the right. */
export function PageHeader({
  title,
  sub,
  children,
}: {
  title: ComponentChildren;
  sub?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {sub && <div class="page-sub">{sub}</div>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}

/** A label/value tile of a summary strip. */
export function Metric({
  label,
  value,
  tone,
  wide = false,
}: {
  label: string;
  value: ComponentChildren;
  tone?: 'error' | 'ok';
  wide?: boolean;
}) {
  return (
    <div class={`metric${tone ? ` metric-${tone}` : ''}${wide ? ' metric-wide' : ''}`}>
      <div class="metric-label">{label}</div>
      <div class="metric-value">{value}</div>
    </div>
  );
}

/** Previous/next buttons of a cursor-paged list. */
export function Pager({
  page,
  hasNext,
  onPrev,
  onNext,
  count,
}: {
  page: number;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  count: number;
}) {
  return (
    <nav class="pager" aria-label="pagination">
      <button type="button" onClick={onPrev} disabled={page === 0}>
        ← Newer
      </button>
      <span class="pager-info">
        Page {page + 1} · {count} shown
      </span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Older →
      </button>
    </nav>
  );
}

/** A monospace id, shortened, with the full id on hover. */
export function Id({ value, full = false }: { value: string; full?: boolean }) {
  return (
    <span class="mono id" title={value}>
      {full ? value : value.length > 22 ? `${value.slice(0, 13)}…${value.slice(-6)}` : value}
    </span>
  );
}
