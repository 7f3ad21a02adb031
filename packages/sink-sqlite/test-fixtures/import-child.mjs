// Imports a trail into a store in small batches, printing the events committed after each commit,
// until it is killed (the test kills it mid-import) or done.
import { writeSync } from 'node:fs';
import { importTrail } from '../dist/index.js';

const [trail, into] = process.argv.slice(2);
const result = await importTrail(trail, {
  into,
  batchSize: 500,
  onProgress: (p) => writeSync(1, `${p.inserted + p.duplicates}\n`),
});
writeSync(1, `done ${JSON.stringify(result)}\n`);
