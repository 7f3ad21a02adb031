import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope, EventRecord } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import { readJsonl } from '@obs/store-format';
import { createJsonlSink } from '../jsonl-sink.js';
import type { JsonlSinkOptions } from '../options.js';

/** A fresh temp dir and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'obs-sink-jsonl-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Everything under `dir` read back, with the reader's report. */
export async function readAll(dir: string) {
  const reader = readJsonl(dir);
  const events: Envelope[] = [];
  for await (const e of reader) events.push(e);
  return { events, seqs: events.map((e) => e.seq), report: reader.report };
}

/** The trail files in `dir`, without the `.chain` and `.idx` sidecars. */
export function trailNames(dir: string): string[] {
  return readdirSync(dir).filter((name) => !name.endsWith('.chain') && !name.endsWith('.idx'));
}

/** `count` records from seq `from`. */
export const records = (from: number, count: number): EventRecord[] =>
  Array.from({ length: count }, (_, i) => makeRecord(from + i));

/** Writes into `dir` 3 rotated files of 40 lines each (seals every 16 lines) and one active file. */
export async function writeTrail(dir: string, options: Partial<JsonlSinkOptions> = {}): Promise<string[]> {
  let now = Date.UTC(2026, 0, 1);
  const sink = createJsonlSink({
    dir,
    rotation: { intervalMs: 60_000 },
    chain: { everyLines: 16, everyMs: 3_600_000 },
    clock: () => now,
    ...options,
  });
  for (let f = 0; f < 4; f++) {
    for (let b = 0; b < 4; b++) await sink.write(records(f * 100 + b * 10, 10));
    now += 60_000;
  }
  await sink.close();
  return trailNames(dir).sort();
}
