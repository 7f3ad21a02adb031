import { AsyncLocalStorage } from 'node:async_hooks';
import { assertValidContext } from './context-schema.js';

/** What an event inherits from the code around it. */
export interface ObsContext {
  run_id?: string;
  request_id?: string | null;
  cycle?: number | null;
  session_id?: string | null;
  turn_number?: number | null;
  /** The event that children emitted in this scope hang under (set by `span`). */
  parent_event_id?: string | null;
}

const storage = new AsyncLocalStorage<Readonly<ObsContext>>();

/**
 * Runs `fn` with `context` merged over the current one; async work started inside keeps it.
 * Throws `ObsValidationError` for a context of the wrong shape.
 */
export function withContext<T>(context: ObsContext, fn: () => T): T {
  assertValidContext(context);
  const current = storage.getStore();
  return storage.run(current === undefined ? { ...context } : { ...current, ...context }, fn);
}

/** The context of the calling code, or an empty one outside any `withContext`. */
export function currentContext(): Readonly<ObsContext> {
  return storage.getStore() ?? EMPTY;
}

const EMPTY: Readonly<ObsContext> = Object.freeze({});
