import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '@obs/core';
import { readJsonl } from '@obs/store-format';

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

/** The trail files in `dir`, without the `.chain` sidecars. */
export function trailNames(dir: string): string[] {
  return readdirSync(dir).filter((name) => !name.endsWith('.chain'));
}
