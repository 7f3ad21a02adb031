import { importTrail } from '@obs/sink-sqlite';
import { rmSync } from 'node:fs';
rmSync('/tmp/integ-smoke/db2.sqlite', { force: true });
const t = performance.now();
let n = 0, last = t;
const r = await importTrail('/tmp/integ-smoke/trail', { into: '/tmp/integ-smoke/db2.sqlite', onProgress: (p) => { n++; const now = performance.now(); if (now - last > 500) console.log(n, p.read, (now - t).toFixed(0)); last = now; } });
console.log(r, performance.now() - t);
