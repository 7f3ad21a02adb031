import type { Envelope } from '@obs/core';

/** A `tool.call` and its `tool.result`, exported as one `execute_tool` span. */
export interface ToolPair {
  call: Envelope;
  result: Envelope;
}

/** What the OTLP sink exports: an event, or a tool call with its result. */
export type ExportItem = Envelope | ToolPair;

/** Tool calls held for their result at most; past it the oldest is exported alone. */
export const MAX_PENDING_TOOL_CALLS = 4_096;

/**
 * Holds each `tool.call` until its `tool.result` (the event whose parent it is) arrives, in the same
 * batch or a later one, so the two leave as one span, as OpenTelemetry exports a span once it ended.
 * A call still waiting leaves alone on `drain()` (the sink's flush and close) or when more than
 * {@link MAX_PENDING_TOOL_CALLS} wait.
 */
export class ToolCallPairer {
  readonly #pending = new Map<string, Envelope>();

  /** The items to export now for `envelopes`, in their order (a pair where its result was). */
  take(envelopes: readonly Envelope[]): ExportItem[] {
    const out: ExportItem[] = [];
    for (const e of envelopes) {
      if (e.event_type === 'tool.call') {
        this.#pending.set(e.event_id, e);
        if (this.#pending.size > MAX_PENDING_TOOL_CALLS) {
          const [oldest] = this.#pending.keys();
          out.push(this.#pending.get(oldest!)!);
          this.#pending.delete(oldest!);
        }
        continue;
      }
      const call =
        e.event_type === 'tool.result' && e.parent_event_id !== null
          ? this.#pending.get(e.parent_event_id)
          : undefined;
      if (call === undefined) {
        out.push(e);
        continue;
      }
      this.#pending.delete(call.event_id);
      out.push({ call, result: e });
    }
    return out;
  }

  /** Puts the calls of items whose export failed back to wait (a call alone, or a pair's call). */
  restore(items: readonly ExportItem[]): void {
    for (const item of items) {
      const call = isToolPair(item) ? item.call : item.event_type === 'tool.call' ? item : undefined;
      if (call !== undefined) this.#pending.set(call.event_id, call);
    }
  }

  /** Every call still waiting for its result, oldest first; none wait afterwards. */
  drain(): Envelope[] {
    const calls = [...this.#pending.values()];
    this.#pending.clear();
    return calls;
  }

  /** How many calls wait for their result. */
  get size(): number {
    return this.#pending.size;
  }
}

/** True for a tool call with its result. */
export const isToolPair = (item: ExportItem): item is ToolPair => 'call' in item && 'result' in item;
