import { describeReadStoreContract } from '../test/contract.js';
import { openSqliteReadStore } from './sqlite-read-store.js';

describeReadStoreContract('sqlite', async (fx) => openSqliteReadStore(fx.sqlitePath));
