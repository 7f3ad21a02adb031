import { openSqliteReadStore } from '@obs/read-store';

const store = openSqliteReadStore(process.argv[2]);
const t0 = performance.now();
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const s = await store.stats({ groupBy: 'operation' });
  console.log(
    'stats',
    (performance.now() - t).toFixed(1),
    'ms',
    s.total,
    s.timeline_bucket_ms,
    s.timeline.length,
  );
}
const last = await store.listEvents({ order: 'desc', limit: 1 });
const from = new Date(Date.parse(last.items[0].envelope.timestamp) - 86400000).toISOString();
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const s = await store.stats({ from, groupBy: 'operation' });
  console.log('stats24', (performance.now() - t).toFixed(1), 'ms', s.total);
}
await store.close();
