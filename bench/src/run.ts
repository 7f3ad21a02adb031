import { type BenchRow, type BenchSuite, report } from './harness.js';
import { emitSuite } from './suites/emit.js';

/** Every suite, in the order they run; `pnpm bench [suite…] [--quick]` picks some. */
const suites: BenchSuite[] = [emitSuite];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const rows: BenchRow[] = [];
for (const suite of suites) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  console.error(`running ${suite.name}…`);
  rows.push(...(await suite.run({ quick })));
}
report(rows);
