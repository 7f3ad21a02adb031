import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, EventRecord, uuidv7 } from '@obs/core';
import { readJsonl } from '@obs/core/jsonl';

/** A fresh temp dir and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'obs-sink-jsonl-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A record made by hand, as the service would make it (for writing to the sink directly). */
export function record(seq: number, overrides: Partial<Envelope> = {}): EventRecord {
  return new EventRecord({
    schema_version: 1,
    event_id: uuidv7(),
    event_type: 'log',
    timestamp: new Date().toISOString(),
    seq,
    source: 'test',
    run_id: 'run-1',
    request_id: null,
    cycle: null,
    session_id: null,
    turn_number: null,
    parent_event_id: null,
    audit_level: 'turn',
    status: null,
    duration_ms: null,
    payload: { level: 'info', message: `event ${seq}` },
    ...overrides,
  });
}

/** Everything under `dir` read back, with the reader's report. */
export async function readAll(dir: string) {
  const reader = readJsonl(dir);
  const events: Envelope[] = [];
  for await (const e of reader) events.push(e);
  return { events, seqs: events.map((e) => e.seq), report: reader.report };
}
