// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing):
// a JSONL sink on a new directory, from the built package; the argument is `{ durability }`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsonlSink } from '../dist/index.js';

export default ({ durability }) => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-jsonl-contract-'));
  return {
    sink: createJsonlSink({ dir, durability }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
};
