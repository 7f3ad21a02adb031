import { type BenchRow, median } from './harness.js';

/**
 * Rows of repeated runs of the same suites as one row per case: the run with the median value (its
 * peer and ratio, measured beside it), and the min / median / max of every run's value and ratio
 * in the note (a noisy machine's spread).
 */
export function aggregateRuns(runs: readonly BenchRow[][]): BenchRow[] {
  if (runs.length === 1) return [...runs[0]!];
  const byCase = new Map<string, BenchRow[]>();
  for (const rows of runs) {
    for (const row of rows) {
      const key = `${row.suite}\u0000${row.case}`;
      byCase.set(key, [...(byCase.get(key) ?? []), row]);
    }
  }
  return [...byCase.values()].map((same) => {
    const first = same[0]!;
    const values = same.map((r) => r.value);
    const ratios = same.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio]));
    const middle = [...same].sort((a, b) => a.value - b.value)[Math.floor((same.length - 1) / 2)]!;
    const spread = (xs: number[], digits: number) =>
      `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${Math.max(...xs).toFixed(digits)}`;
    const notes = [
      `${same.length} runs, min / median / max: ${spread(values, values.some((v) => v < 10) ? 2 : 0)} ${first.unit}`,
      ...(ratios.length > 0 ? [`ratio ${spread(ratios, 2)}`] : []),
      ...(first.note ? [first.note] : []),
    ];
    return { ...middle, note: notes.join('; ') };
  });
}
