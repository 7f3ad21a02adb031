#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { openReadStore, type ReadStore } from '@obs/read-store';
import { createAdminServer } from './admin-server.js';

const HELP = `obs-admin: the obs web dashboard

Usage: obs-admin --store <events.db | jsonl directory> [--port 4600] [--host 127.0.0.1] [--token T]

Options:
  --store PATH   a SQLite event database (opened read-only) or a directory of JSONL trail files
  --port N       port to listen on (default 4600; 0 picks a free one)
  --host H       address to bind (default 127.0.0.1); any other address requires --token
  --token T      require this token (16+ characters of A-Z a-z 0-9 . _ ~ -); also read from OBS_ADMIN_TOKEN
  --help         show this help`;

function fail(message: string): never {
  console.error(`obs-admin: ${message}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        store: { type: 'string' },
        port: { type: 'string', default: '4600' },
        host: { type: 'string', default: '127.0.0.1' },
        token: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}; see --help`);
  }
})();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (!values.store) fail('--store is required: a SQLite database file or a JSONL directory; see --help');
const port = Number(values.port);
if (!/^\d+$/.test(values.port) || port > 65_535)
  fail(`--port expects an integer from 0 to 65535, got "${values.port}"`);
const token = values.token ?? process.env['OBS_ADMIN_TOKEN'];

// a postgres:// store's URL may hold a password: never print it
const shown = values.store.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
const schema = process.env['OBS_POSTGRES_SCHEMA'];
let store: ReadStore;
try {
  store = await openReadStore(values.store, schema ? { postgres: { schema } } : {});
} catch (error) {
  fail(`cannot open the store at ${shown}: ${(error as Error).message}`);
}

const admin = await createAdminServer({
  store,
  host: values.host,
  port,
  ...(token === undefined ? {} : { token }),
  onError: (error) => console.error('obs-admin:', error),
}).catch(async (error: Error) => {
  await store.close();
  fail(error.message);
});

console.log(`obs-admin: ${store.kind} store ${shown}`);
console.log(`obs-admin: listening on ${admin.url}${token ? '?token=<your token>' : ''}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => {
    console.error('obs-admin: shutdown took over 5 s; exiting');
    process.exit(1);
  }, 5000).unref();
  try {
    await admin.close();
    await store.close();
    process.exit(0);
  } catch (error) {
    console.error('obs-admin: error while shutting down:', error);
    process.exit(1);
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
