import type { AuditLevel } from './envelope.js';

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
