import { basename } from 'node:path';
import { problemPlace, type TrailProblem, verifyTrail } from '@obs/store-format';
import { type CliArgs, UsageError } from './args.js';
import { auditKey } from './audit-key.js';
import type { Output } from './commands.js';
import { checkStore } from './store-check.js';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const line = (p: TrailProblem) => `  ${p.kind.padEnd(16)} ${problemPlace(p)}  ${p.detail}\n`;

/**
 * `obs verify <trail> [--db <store>]`: checks the trail's hash chain (and, with `--db`, that every
 * event is in the store with the same bytes). Returns the exit code: 0 intact, 1 not.
 */
export async function verifyCommand(args: CliArgs, out: Output): Promise<number> {
  const trail = args.positionals[0] ?? args.values.trail;
  if (!trail) throw new UsageError('obs verify expects a trail: obs verify <trail dir> [--db <file.db>]');
  const started = performance.now();
  const v = await verifyTrail(trail, { key: auditKey(args.values['key-file']) });
  const seconds = (performance.now() - started) / 1000;
  const check = args.values.db === undefined ? undefined : await checkStore(trail, args.values.db);
  const storeBad = check !== undefined && check.mismatches.length > 0;
  if (args.values.json) {
    await out.write(`${JSON.stringify({ ...v, ok: v.ok && !storeBad, seconds, store: check }, null, 2)}\n`);
    return v.ok && !storeBad ? 0 : 1;
  }
  const summary = `${v.files} files, ${v.sealedLines} sealed lines, ${mb(v.bytes)}, ${v.seals} seals (${v.alg}) in ${seconds.toFixed(2)} s (${mb(v.bytes / Math.max(seconds, 1e-6))}/s)`;
  const first = v.problems[0];
  let text = first
    ? `obs verify: FAILED at ${problemPlace(first)}: ${first.detail}\n${summary}\n`
    : `obs verify: ok, ${summary}\n`;
  if (v.problems.length > 0) text += `${v.problems.length} problems:\n${v.problems.map(line).join('')}`;
  if (v.warnings.length > 0) text += `${v.warnings.length} warnings:\n${v.warnings.map(line).join('')}`;
  for (const [stem, head] of Object.entries(v.heads)) text += `head ${stem} ${head}\n`;
  if (check !== undefined) {
    text += storeBad
      ? `store: ${check.mismatches.length} of ${check.checked} trail events missing from or different in ${basename(args.values.db!)}:\n`
      : `store: all ${check.checked} trail events are in ${basename(args.values.db!)} with the same bytes\n`;
    for (const m of check.mismatches)
      text += `  ${m.kind.padEnd(16)} ${basename(m.file)}:${m.line}  ${m.event_id}\n`;
    if (check.onlyInStore > 0)
      text += `store: ${check.onlyInStore} events in the store are not in the trail\n`;
  }
  await out.write(text);
  return v.ok && !storeBad ? 0 : 1;
}
