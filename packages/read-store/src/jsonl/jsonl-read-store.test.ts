import { describeReadStoreContract } from '../test/contract.js';
import { openJsonlReadStore } from './jsonl-read-store.js';

describeReadStoreContract('jsonl', async (fx) => openJsonlReadStore(fx.jsonlDir));
