import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured row: obs next to its peer in the same run. */
export interface BenchRow {
  suite: string;
  case: string;
  /** The figure (events/s, ms, ratio…) with its unit. */
  value: number;
  unit: string;
  /** Peer or ceiling measured in the same run, when there is one. */
  peer?: { name: string; value: number };
  /** value / peer.value for rates, peer.value / value for times: above 1 means obs is ahead. */
  ratio?: number;
  target?: string;
  note?: string;
}

/** A suite: a name and a function that measures and returns rows. */
export interface BenchSuite {
  name: string;
  run(options: { quick: boolean; scale?: boolean }): Promise<BenchRow[]>;
}

/** Nanoseconds of `fn` per call over `n` calls. */
export function timeNs(n: number, fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Percentile of a sorted array of numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(1))
    .join(' / ');
}

/** Median of numbers. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Prints rows as a table and writes them to `bench/results/latest.json` (merged by suite), or to `$OBS_BENCH_OUT`. */
export function report(rows: BenchRow[]): void {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
  const lines = rows.map((r) => [
    r.suite,
    r.case,
    `${fmt(r.value)} ${r.unit}`,
    r.peer ? `${r.peer.name}: ${fmt(r.peer.value)} ${r.unit}` : '',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '',
    r.target ?? '',
    r.note ?? '',
  ]);
  const header = ['suite', 'case', 'obs', 'peer (same run)', 'ratio', 'target', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log([row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n'));
  const out =
    process.env.OBS_BENCH_OUT ??
    join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  const ran = new Set(rows.map((r) => r.suite));
  const previous: BenchRow[] = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as { rows: BenchRow[] }).rows
    : [];
  const merged = [...previous.filter((r) => !ran.has(r.suite)), ...rows];
  writeFileSync(
    out,
    `${JSON.stringify({ node: process.version, at: new Date().toISOString(), rows: merged }, null, 2)}\n`,
  );
}
