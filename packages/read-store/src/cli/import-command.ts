import type * as SinkSqlite from '@obs/sink-sqlite';
import cliProgress from 'cli-progress';
import { type CliArgs, UsageError } from './args.js';
import type { Output } from './commands.js';
import { loadWriter } from './writer-package.js';

const rate = (n: number, seconds: number) => Math.round(n / Math.max(seconds, 1e-6)).toLocaleString('en-US');

/**
 * `obs import <trail> --into <store.db>`: rebuilds or tops up a SQLite store from a JSONL trail
 * through `@obs/sink-sqlite`. A progress bar on a terminal (stderr), one summary line at the end.
 */
export async function importCommand(args: CliArgs, out: Output): Promise<number> {
  const trail = args.positionals[0] ?? args.values.trail;
  const into = args.values.into;
  if (!trail || !into)
    throw new UsageError('obs import expects a trail and a store: obs import <trail dir> --into <file.db>');
  const { importTrail } = await loadWriter<typeof SinkSqlite>('@obs/sink-sqlite', 'import');
  const bar =
    process.stderr.isTTY === true
      ? new cliProgress.SingleBar(
          {
            format: 'import [{bar}] {percentage}% | {events} events | {rate} ev/s | eta {eta_formatted}',
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const started = performance.now();
  bar?.start(1, 0, { events: 0, rate: 0 });
  let result: Awaited<ReturnType<typeof importTrail>>;
  try {
    result = await importTrail(trail, {
      into,
      resume: args.values.restart !== true,
      onProgress: (p) => {
        if (bar === undefined) return;
        bar.setTotal(Math.max(1, p.totalBytes));
        bar.update(p.bytes, { events: p.read, rate: rate(p.read, (performance.now() - started) / 1000) });
      },
    });
  } finally {
    bar?.stop();
  }
  const summary =
    `obs import: ${result.read} events read, ${result.inserted} new, ${result.duplicates} already in the store, ` +
    `${result.corrupt} corrupt lines skipped, in ${result.seconds.toFixed(2)} s (${rate(result.read, result.seconds)} events/s)` +
    `${result.resumed ? ', resumed after an interrupted import' : ''}\n`;
  await out.write(args.values.json ? `${JSON.stringify(result)}\n` : summary);
  return 0;
}
