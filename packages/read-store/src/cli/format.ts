import type { Envelope } from '@obs/core';
import type { RunSummary, SessionSummary, SkippedLines, Stats } from '../read-store.js';
import { ms } from '../render-trace-tree.js';

/** One event as a single line: time, source, run, `[type] label → status (duration)`. */
export function eventLine(e: Envelope): string {
  const p = e.payload;
  const pick = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : '');
  const label =
    pick('operation') ||
    pick('message') ||
    pick('tool') ||
    pick('model') ||
    pick('content') ||
    pick('decision');
  const text = label.replace(/\s+/g, ' ').slice(0, 100);
  const status = e.status === null ? '' : ` → ${e.status}`;
  const duration = e.duration_ms === null ? '' : ` (${ms(e.duration_ms)})`;
  return `${e.timestamp}  ${e.source}  ${e.run_id}  [${e.event_type}]${text ? ` ${text}` : ''}${status}${duration}`;
}

/** Rows as an aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

const money = (usd: number) => `$${usd.toFixed(4)}`;
const dur = (value: number | null) => (value === null ? '-' : ms(value));

/** The runs table. */
export function runsTable(runs: readonly RunSummary[]): string {
  return table(
    ['run_id', 'status', 'source', 'started_at', 'duration', 'events', 'errors', 'tokens', 'cost'],
    runs.map((r) => [
      r.run_id,
      r.status,
      r.source ?? '-',
      r.started_at ?? '-',
      dur(r.duration_ms),
      String(r.event_count),
      String(r.error_count),
      String(r.total_tokens),
      money(r.cost_usd),
    ]),
  );
}

/** The sessions table. */
export function sessionsTable(sessions: readonly SessionSummary[]): string {
  return table(
    ['session_id', 'status', 'runs', 'turns', 'started_at', 'duration', 'events', 'errors', 'cost'],
    sessions.map((s) => [
      s.session_id,
      s.status,
      String(s.run_count),
      s.max_turn_number === null ? '-' : String(s.max_turn_number),
      s.started_at ?? '-',
      dur(s.duration_ms),
      String(s.event_count),
      String(s.error_count),
      money(s.cost_usd),
    ]),
  );
}

/** `obs stats` as text: totals, by type and source, latency percentiles, slowest operations. */
export function statsText(stats: Stats): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => [k, String(n)]);
  const parts = [
    `events ${stats.total} · ok ${stats.successes} · failed ${stats.failures} · ` +
      `tokens ${stats.tokens.total} (prompt ${stats.tokens.prompt}, completion ${stats.tokens.completion}) · ` +
      `cost ${money(stats.cost_usd)}`,
    `from ${stats.first_timestamp ?? '-'} to ${stats.last_timestamp ?? '-'}`,
    '',
    'by type',
    table(['event_type', 'events'], counts(stats.by_type)),
    'by source',
    table(['source', 'events'], counts(stats.by_source)),
    'latency by operation',
    table(
      ['operation', 'n', 'errors', 'p50', 'p95', 'p99'],
      stats.latency.map((g) => [
        g.key,
        String(g.total),
        String(g.errors),
        dur(g.p50_ms),
        dur(g.p95_ms),
        dur(g.p99_ms),
      ]),
    ),
    'slowest',
    table(
      ['duration', 'name', 'status', 'run_id', 'event_id'],
      stats.slowest.map((s) => [ms(s.duration_ms), s.name, s.status ?? '-', s.run_id, s.event_id]),
    ),
  ];
  if (stats.groups) {
    parts.push(
      'groups',
      table(
        ['key', 'n', 'ok', 'errors', 'p50', 'p95', 'p99'],
        stats.groups.map((g) => [
          g.key,
          String(g.total),
          String(g.ok),
          String(g.errors),
          dur(g.p50_ms),
          dur(g.p95_ms),
          dur(g.p99_ms),
        ]),
      ),
    );
  }
  return parts.join('\n');
}

/** One line saying what a JSONL read skipped: `skipped 3 unreadable lines (2 json, 1 torn); first at <file>:<line> (json: …)`. */
export function skippedLinesText(s: SkippedLines): string {
  const reasons = Object.entries(s.by_reason)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  const detail = s.first?.detail.replace(/\s+/g, ' ').slice(0, 200);
  const first =
    s.first === null ? '' : `; first at ${s.first.file}:${s.first.line} (${s.first.reason}: ${detail})`;
  return `skipped ${s.count} unreadable line${s.count === 1 ? '' : 's'} (${reasons})${first}`;
}
