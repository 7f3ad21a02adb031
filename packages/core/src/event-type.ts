import type { z } from 'zod';
import { EVENT_TYPE_PATTERN } from './envelope.js';
import { ObsValidationError } from './errors.js';

/** An application event type: a dotted name and the zod schema of its payload. */
export interface EventType<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly name: Name;
  readonly schema: Schema;
}

/** Declares an application event type; pass it to `createObservability({ eventTypes })`. */
export function defineEventType<const Name extends string, Schema extends z.ZodType<Record<string, unknown>>>(
  name: Name,
  schema: Schema,
): EventType<Name, Schema> {
  if (name.length > 128 || !EVENT_TYPE_PATTERN.test(name)) {
    throw new ObsValidationError('event type name', [
      { path: 'name', message: `"${name}" is not a dotted lower-case name of at most 128 characters` },
    ]);
  }
  return Object.freeze({ name, schema });
}

/** Maps a list of event types to `{ name: payload input type }`. */
export type PayloadsOf<Types extends readonly EventType[]> = {
  [T in Types[number] as T['name']]: z.input<T['schema']>;
};
