import { readJsonlEntries } from '@obs/store-format';
let t = performance.now(), n = 0;
for await (const e of readJsonlEntries('/tmp/integ-smoke/trail')) n++;
console.log('read', n, performance.now() - t);
