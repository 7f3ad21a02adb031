import type { Envelope } from '@obs/core';
import { llmUsage } from '../rollup-rules.js';
import { rollupOperation } from '../stats-rollup.js';
import type { TrailIndexColumns } from './trail-index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STATUS = { ok: 1, error: 2 } as const;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Whether `id` is a lowercase UUID (stored as 16 bytes in the index's id columns). */
export function isIndexUuid(id: string): boolean {
  return UUID.test(id);
}

const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

/** Writes UUID `id` ({@link isIndexUuid}) as 16 bytes into `into` at `at`, without allocating. */
export function uuidBytes(id: string, into: Uint8Array, at: number): void {
  let j = at;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 45) continue;
    into[j++] = (HEX[c & 127]! << 4) | HEX[id.charCodeAt(++i) & 127]!;
  }
}

/**
 * Fills row `r` of trail index columns from the envelope of the line at `offset` (`length` bytes,
 * without its newline); `intern` gives the dictionary index of a string. The one definition of what
 * an index row holds, used by the reader that indexes a file and the sink that writes it.
 */
export function setTrailIndexRow(
  c: TrailIndexColumns,
  r: number,
  e: Envelope,
  offset: number,
  length: number,
  intern: (s: string) => number,
): void {
  const p = e.payload;
  const usage = llmUsage(e);
  const s = (v: string | null) => (v === null ? -1 : intern(v));
  c.ts[r] = Date.parse(e.timestamp);
  c.offset[r] = offset;
  c.length[r] = length;
  uuidBytes(e.event_id, c.id, r * 16);
  if (e.parent_event_id === null) c.parent_kind[r] = 0;
  else if (UUID.test(e.parent_event_id)) {
    c.parent_kind[r] = 1;
    uuidBytes(e.parent_event_id, c.parent, r * 16);
  } else {
    c.parent_kind[r] = 2;
    new DataView(c.parent.buffer, c.parent.byteOffset).setInt32(r * 16, intern(e.parent_event_id), true);
  }
  c.run[r] = intern(e.run_id);
  c.session[r] = s(e.session_id);
  c.type[r] = intern(e.event_type);
  c.source[r] = intern(e.source);
  c.audit[r] = intern(e.audit_level);
  c.name[r] = intern(rollupOperation(e));
  c.layer[r] = s(str(p['layer']));
  c.component[r] = s(str(p['component']));
  c.model[r] = s(str(p['model']));
  c.outcome[r] = e.event_type === 'run.finished' ? s(str(p['outcome'])) : -1;
  c.status[r] = e.status === null ? 0 : STATUS[e.status];
  c.duration[r] = e.duration_ms ?? Number.NaN;
  c.turn[r] = e.turn_number ?? Number.NaN;
  c.prompt_tokens[r] = usage.prompt_tokens;
  c.completion_tokens[r] = usage.completion_tokens;
  c.total_tokens[r] = usage.total_tokens;
  c.cost_usd[r] = usage.cost_usd;
}
