// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing):
// a SQLite sink on a new file, from the built package. argv-free: the argument is `{ worker }`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSink } from '../dist/index.js';

export default ({ worker }) => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-sqlite-contract-'));
  return {
    sink: createSqliteSink({ path: join(dir, 'obs.db'), worker }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
};
