import { currentContext, withContext } from './context.js';
import type { AuditLevel, EventStatus } from './envelope.js';
import type { EmitOptions } from './envelope-factory.js';
import { toError } from './errors.js';
import { uuidv7 } from './uuidv7.js';

/** Options of `span(name, fn, options)`. */
export interface SpanOptions<T = unknown> {
  /** The component or class doing the work (stats group by it). */
  component?: string;
  /** The architectural layer, like `agent`, `tool` or `llm`. */
  layer?: string;
  /** A short description of the input. */
  input_summary?: string;
  /** Describes the result for `output_summary`; errors it throws are ignored. */
  summarize?: (result: T) => string;
  audit_level?: AuditLevel;
}

/**
 * Runs `fn` as a span: children emitted inside hang under the span's id, and one `span` event,
 * stamped with the start time, records duration, status and a thrown error (then rethrown).
 */
export function runSpan<T>(
  name: string,
  fn: () => T | Promise<T>,
  options: SpanOptions<T>,
  clock: () => number,
  record: (payload: Record<string, unknown>, options: EmitOptions) => void,
): Promise<T> {
  const startedAt = clock();
  const started = performance.now();
  const spanId = uuidv7(startedAt);
  const outer = currentContext();
  const finish = (status: EventStatus, extra: Record<string, unknown>) => {
    const payload: Record<string, unknown> = { operation: name, ...extra };
    if (options.component !== undefined) payload['component'] = options.component;
    if (options.layer !== undefined) payload['layer'] = options.layer;
    if (options.input_summary !== undefined) payload['input_summary'] = options.input_summary;
    record(payload, {
      event_id: spanId,
      timestamp: startedAt,
      parent_event_id: outer.parent_event_id ?? null,
      status,
      duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
      ...(options.audit_level ? { audit_level: options.audit_level } : {}),
    });
  };
  return withContext({ parent_event_id: spanId }, async () => {
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      const err = toError(error);
      finish('error', {
        error: { message: err.message, ...(err.stack ? { stack: err.stack } : {}), type: err.name },
      });
      throw error;
    }
    const extra: Record<string, unknown> = {};
    if (options.summarize) {
      try {
        extra['output_summary'] = String(options.summarize(result));
      } catch {
        // a failing summary must not fail the work it describes
      }
    }
    finish('ok', extra);
    return result;
  });
}
