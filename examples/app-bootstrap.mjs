// An application's bootstrap: one call composes the sinks that the OBS_* variables name.
//
//   node app-bootstrap.mjs                      # OBS_MODE=dual into a fresh temp dir, stream on a free port
//   OBS_MODE=file_only OBS_DATA_DIR=./.obs node app-bootstrap.mjs
//
// With OBS_MODE=dual (the default) it needs @obs/sink-sqlite and @obs/sink-jsonl installed, with
// OBS_STREAM=1 also @obs/sink-stream; a missing one is an error saying which to `npm i`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservabilityFromEnv, defineEventType } from '@obs/core';
import { connectStream } from '@obs/sink-stream';
import { z } from 'zod';

// What a deployment would set in its environment; defaulted here so the example runs as is.
process.env.OBS_MODE ??= 'dual';
process.env.OBS_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'obs-example-'));
process.env.OBS_SOURCE ??= 'shop-app';
process.env.OBS_STREAM ??= '1';
process.env.OBS_STREAM_PORT ??= '0'; // any free port on 127.0.0.1

// The application's own event type, validated like the built-in ones.
const Checkout = defineEventType('shop.checkout', z.strictObject({ cart_id: z.string(), total: z.number() }));

const obs = await createObservabilityFromEnv({ eventTypes: [Checkout] });
const { config } = obs;
console.log(
  `mode ${config.mode}: sinks ${obs
    .stats()
    .sinks.map((s) => s.name)
    .join(', ')}`,
);
console.log(`data dir ${config.dataDir}`);

// A live subscriber, as a dashboard in another process would be.
const expected = 4;
const live = [];
let allArrived;
const arrived = new Promise((resolve) => {
  allArrived = resolve;
});
const client = obs.streamUrl
  ? connectStream({
      url: obs.streamUrl,
      onEvent: (event) => {
        live.push(event.event_type);
        if (live.length === expected) allArrived();
      },
    })
  : undefined;
if (client) {
  await client.ready;
  console.log(`stream ${obs.streamUrl}`);
}

await obs.withContext({ run_id: 'order-1042', session_id: 'visit-7' }, async () => {
  obs.emit('run.started', { agent: 'checkout', goal: 'place order 1042' });
  await obs.span(
    'charge card',
    async () => {
      obs.emit('shop.checkout', { cart_id: 'cart-1042', total: 42.5 });
    },
    { component: 'Payments', layer: 'service' },
  );
  obs.emit('run.finished', { outcome: 'success' }, { status: 'ok' });
});

if (client) {
  await arrived; // every event reaches the subscriber; no timer involved
  console.log(`live: ${live.join(', ')}`);
  await client.close();
}
await obs.shutdown(); // flushes and closes every sink and the stream server
const written = obs
  .stats()
  .sinks.filter((s) => s.name !== 'stream')
  .map((s) => `${s.name} ${s.written}`);
console.log(`written: ${written.join(', ')}`);
if (config.stores.sqlite) console.log(`sqlite ${config.sqlitePath}`);
if (config.stores.jsonl) console.log(`jsonl ${config.jsonlDir}`);
