// Child process: writes batches straight into the sink forever, printing "committed <events>" after each
// commit, until the parent SIGKILLs it. argv: <dbPath> <run id> <batch size>
import { EventRecord, uuidv7 } from '@obs/core';
import { createSqliteSink } from '../dist/index.js';

const [path, runId, batchText] = process.argv.slice(2);
const batchSize = Number(batchText);
const sink = createSqliteSink({ path, synchronous: 'NORMAL' });
let seq = 0;
for (;;) {
  const batch = [];
  for (let i = 0; i < batchSize; i++) {
    batch.push(
      new EventRecord({
        schema_version: 1,
        event_id: uuidv7(),
        event_type: seq % 7 === 0 ? 'llm.call' : 'log',
        timestamp: new Date().toISOString(),
        seq,
        source: 'crash',
        run_id: runId,
        request_id: null,
        cycle: null,
        session_id: null,
        turn_number: null,
        parent_event_id: null,
        audit_level: 'turn',
        status: null,
        duration_ms: null,
        payload:
          seq % 7 === 0
            ? { provider: 'p', model: 'm', total_tokens: 3 }
            : { level: 'info', message: 'x'.repeat(200) },
      }),
    );
    seq++;
  }
  await sink.write(batch);
  await new Promise((resolve) => setImmediate(resolve));
  process.stdout.write(`committed ${seq}\n`);
}
