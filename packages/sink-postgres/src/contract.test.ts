import { describeSinkContract } from '@obs/core/testing';
import { describe, expect, inject, it } from 'vitest';
import { built, fixture } from './test/built.js';
import { dropSchema, withSchema } from './test/schema-client.js';
import { freshSchema } from './testing/fresh-schema.js';

const { createPostgresSink } = await built<typeof import('./index.js')>('index.js');
const url = inject('pgUrl');

describeSinkContract(
  'postgres',
  () => {
    const schema = freshSchema('contract');
    return {
      sink: createPostgresSink({ url, schema }),
      // a connection of its own: what a reader of the database sees, not what the sink remembers
      stored: () =>
        withSchema(url, schema, async (c) =>
          (await c.query('SELECT json FROM events ORDER BY id')).rows.map((r) => r.json),
        ),
      cleanup: () => dropSchema(url, schema),
    };
  },
  {
    test: { describe, it, expect },
    bytes: true,
    // COPY into staging, INSERT … ON CONFLICT (event_id) DO NOTHING, summaries from the inserted rows only
    redelivery: 'event_id',
    badOptions: {
      create: (options) => createPostgresSink(options as never),
      options: {
        url: 'mysql://root:hunter2@db',
        schema: 'Bad-Name',
        connections: 0,
        partitionsAhead: -1,
        poolSize: 3,
      },
      keys: ['url', 'schema', 'connections', 'partitionsAhead', 'poolSize'],
    },
    health: true,
    bareProcess: { module: fixture('contract-sink.mjs'), arg: { url, schema: freshSchema('bare') } },
  },
);
