import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, EventRecord, uuidv7 } from '@obs/core';

/** A temp directory and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'obs-sink-sqlite-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let seq = 0;

/** A valid envelope with defaults; `overrides` win. */
export function envelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    schema_version: 1,
    event_id: uuidv7(),
    event_type: 'log',
    timestamp: new Date().toISOString(),
    seq: seq++,
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
    payload: { level: 'info', message: 'hello' },
    ...overrides,
  };
}

/** `envelope(overrides)` as the record a sink receives. */
export function record(overrides: Partial<Envelope> = {}): EventRecord {
  return new EventRecord(envelope(overrides));
}

/** Absolute path of a child script in `test-fixtures/`. */
export function fixture(name: string): string {
  return new URL(`../../test-fixtures/${name}`, import.meta.url).pathname;
}
