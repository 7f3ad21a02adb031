import { freshSchema } from '@obs/sink-postgres/testing';
import { inject } from 'vitest';
import { describeReadStoreContract } from '../test/contract.js';
import { openPostgresReadStore } from './postgres-read-store.js';

const url = inject('pgUrl');
const schema = freshSchema('contract');

describeReadStoreContract('postgres', async () => openPostgresReadStore(url, { schema }), {
  postgres: { url, schema },
});
