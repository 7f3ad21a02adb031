import { aggregateRuns } from './aggregate.js';
import { type BenchRow, type BenchSuite, report } from './harness.js';
import { adminSuite } from './suites/admin.js';
import { backupSuite } from './suites/backup.js';
import { collectorSuite } from './suites/collector.js';
import { emitSuite } from './suites/emit.js';
import { integritySuite } from './suites/integrity.js';
import { jsonlSuite } from './suites/jsonl.js';
import { otlpSuite } from './suites/otlp.js';
import { postgresSuite } from './suites/postgres.js';
import { readStoreSuite } from './suites/read-store.js';
import { sqliteSuite } from './suites/sqlite.js';
import { streamSuite } from './suites/stream.js';

/** Every suite, in the order they run; `pnpm bench [suite…] [--quick] [--scale] [--runs N]` picks some. */
const suites: BenchSuite[] = [
  emitSuite,
  jsonlSuite,
  sqliteSuite,
  streamSuite,
  readStoreSuite,
  adminSuite,
  backupSuite,
  collectorSuite,
  otlpSuite,
  postgresSuite,
  integritySuite,
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** Sizes past what CI runs (`read-store --scale`: a 10M-event store, a month of traffic). */
const scale = args.includes('--scale');
const runsAt = args.indexOf('--runs');
/** Each suite run this many times, reported as medians with min / median / max (`--runs 3`). */
const runs = runsAt === -1 ? 1 : Number(args[runsAt + 1]);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
  console.error(`--runs takes a whole number from 1 to 20, got ${args[runsAt + 1]}`);
  process.exit(2);
}
const wanted = args.filter((a, i) => !a.startsWith('--') && !(runsAt !== -1 && i === runsAt + 1));
const unknown = wanted.filter((name) => !suites.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const rows: BenchRow[] = [];
for (const suite of suites) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  const each: BenchRow[][] = [];
  for (let r = 0; r < runs; r++) {
    console.error(
      `running ${suite.name}${quick ? ' (quick)' : ''}${runs > 1 ? `, run ${r + 1} of ${runs}` : ''}…`,
    );
    each.push(await suite.run({ quick, scale }));
  }
  rows.push(...aggregateRuns(each));
}
report(rows);
