import type { Envelope } from '../envelope.js';
import { makeEnvelope } from './make-envelope.js';

/** `count` envelopes from `seq` on: every field kind, escapes, astral characters, unsorted payload keys. */
export function contractEnvelopes(from: number, count: number): Envelope[] {
  const out: Envelope[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const previous = out.at(-1)?.event_id ?? null;
    switch (seq % 4) {
      case 0:
        out.push(
          makeEnvelope(seq, {
            payload: { message: `"quoted" \\ back\nslash\ttab é ✓ 😀 \u2028 \u0000 #${seq}`, level: 'warn' },
          }),
        );
        break;
      case 1:
        out.push(
          makeEnvelope(seq, {
            event_type: 'tool.call',
            session_id: 'sess-contract',
            turn_number: seq,
            payload: { tool: 'search', arguments: { z: 1, a: [{ y: 2, b: null }], m: 'x'.repeat(seq * 97) } },
          }),
        );
        break;
      case 2:
        out.push(
          makeEnvelope(seq, {
            event_type: 'llm.call',
            status: 'ok',
            duration_ms: 12.5,
            request_id: `req-${seq}`,
            payload: { provider: 'p', model: 'm', prompt_tokens: 2 ** 53 - 1, cost_usd: 0.1 + 0.2 },
          }),
        );
        break;
      default:
        out.push(
          makeEnvelope(seq, {
            event_type: 'span',
            status: 'error',
            cycle: seq,
            parent_event_id: previous,
            audit_level: 'export',
            payload: { operation: 'plan', layer: 'agent', component: 'Planner' },
          }),
        );
    }
  }
  return out;
}
