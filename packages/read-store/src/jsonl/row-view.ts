import type { Envelope } from '@obs/core';
import type { EventTable } from './event-table.js';

const payload: Record<string, unknown> = {};
const view = {
  event_type: '',
  source: '',
  session_id: null as string | null,
  status: null as 'ok' | 'error' | null,
  duration_ms: null as number | null,
  turn_number: null as number | null,
  payload,
};
const STATUS = [null, 'ok', 'error'] as const;

/**
 * What the shared rules (`@obs/store-format`'s summary and rollup rules) read of an event, refilled
 * from a row's columns: the line itself stays on disk, and the rules stay the one definition for
 * every backend. One object, reused for every row: the rules keep nothing of it.
 */
export function rowView(t: EventTable, row: number): Envelope {
  const c = t.columns;
  const strings = t.strings;
  const text = (id: number) => (id < 0 ? undefined : strings[id]);
  const session = c.session[row]!;
  const duration = c.duration[row]!;
  const turn = c.turn[row]!;
  view.event_type = strings[c.type[row]!]!;
  view.source = strings[c.source[row]!]!;
  view.session_id = session < 0 ? null : strings[session]!;
  view.status = STATUS[c.status[row]!]!;
  view.duration_ms = Number.isNaN(duration) ? null : duration;
  view.turn_number = Number.isNaN(turn) ? null : turn;
  payload['outcome'] = text(c.outcome[row]!);
  payload['operation'] = view.event_type === 'span' ? strings[c.name[row]!] : undefined;
  payload['model'] = text(c.model[row]!);
  payload['layer'] = text(c.layer[row]!);
  payload['component'] = text(c.component[row]!);
  payload['prompt_tokens'] = c.prompt_tokens[row];
  payload['completion_tokens'] = c.completion_tokens[row];
  payload['total_tokens'] = c.total_tokens[row];
  payload['cost_usd'] = c.cost_usd[row];
  return view as unknown as Envelope;
}
