import type { Envelope } from '@obs/core';
import { llmUsage } from '@obs/store-format';
import type { StatsFacts } from '../internal/stats-accumulator.js';
import { nodeName } from '../trace-tree.js';

/** What the JSONL index keeps of one event: its line, the fields filters use, stats facts, its place. */
export interface IndexedEvent extends StatsFacts {
  /** Read order in this store instance: the tie-breaker after `ts`, and the tail order. */
  ord: number;
  json: string;
  session_id: string | null;
  parent_event_id: string | null;
  audit_level: string;
  turn_number: number | null;
  /** Where the line ends in the trail: its stem, its file (name without `.gz`), the byte after it. */
  stem: string;
  file: string;
  end: number;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The indexed form of an envelope read from the trail. */
export function indexEvent(
  e: Envelope,
  json: string,
  ord: number,
  at: { stem: string; file: string; end: number },
): IndexedEvent {
  const p = e.payload;
  const usage = llmUsage(e);
  return {
    ord,
    json,
    ts: Date.parse(e.timestamp),
    timestamp: e.timestamp,
    event_id: e.event_id,
    event_type: e.event_type,
    source: e.source,
    run_id: e.run_id,
    session_id: e.session_id,
    parent_event_id: e.parent_event_id,
    audit_level: e.audit_level,
    turn_number: e.turn_number,
    status: e.status,
    duration_ms: e.duration_ms,
    name: nodeName(e),
    layer: str(p['layer']),
    component: str(p['component']),
    model: str(p['model']),
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    cost_usd: usage.cost_usd,
    stem: at.stem,
    file: at.file,
    end: at.end,
  };
}

/** Trail order: time, then read order. */
export const byTrailOrder = (a: IndexedEvent, b: IndexedEvent): number => a.ts - b.ts || a.ord - b.ord;
