import type { z } from 'zod';
import { builtinPayloadSchemas } from './catalog.js';
import { OBS_ERROR_CODES, ObsError, ObsValidationError } from './errors.js';
import type { EventType } from './event-type.js';
import { compilePayloadSerializer, type PayloadSerializer } from './payload-serializer.js';
import { compilePayloadValidator, type PayloadValidator } from './payload-validator.js';
import { fromZodIssues } from './zod-issues.js';

/**
 * Compiled per schema, once per process: every service shares the catalog's schemas, so they share
 * the compiled code too (and the optimizing compiler's work on it). `null`: the schema does not compile.
 */
const compiledSerializers = new WeakMap<z.ZodType, PayloadSerializer | null>();
const compiledValidators = new WeakMap<z.ZodType, PayloadValidator | null>();

function compiledOnce<T>(
  cache: WeakMap<z.ZodType, T | null>,
  schema: z.ZodType,
  compile: (s: z.ZodType) => T | undefined,
): T | undefined {
  let compiled = cache.get(schema);
  if (compiled === undefined) {
    compiled = compile(schema) ?? null;
    cache.set(schema, compiled);
  }
  return compiled ?? undefined;
}

/** The payload schemas known to one service: the built-in catalog plus application types. */
export class EventRegistry {
  readonly #schemas = new Map<string, z.ZodType>();
  readonly #serializers = new Map<string, PayloadSerializer | undefined>();
  readonly #validators = new Map<string, PayloadValidator | undefined>();

  constructor(types: readonly EventType[] = []) {
    for (const [name, schema] of Object.entries(builtinPayloadSchemas)) this.#schemas.set(name, schema);
    for (const type of types) this.register(type);
  }

  /** Adds an application type; re-registering a built-in or an existing name is an error. */
  register(type: EventType): void {
    if (this.#schemas.has(type.name)) {
      throw new ObsError(OBS_ERROR_CODES.VALIDATION, `event type "${type.name}" is already registered`);
    }
    this.#schemas.set(type.name, type.schema);
  }

  /** True when `name` has a schema here. */
  has(name: string): boolean {
    return this.#schemas.has(name);
  }

  /** Every registered type name, sorted. */
  names(): string[] {
    return [...this.#schemas.keys()].sort();
  }

  /** The serializer compiled from a type's schema (on first use), or `undefined` for the generic path. */
  serializerFor(eventType: string): PayloadSerializer | undefined {
    if (this.#serializers.has(eventType)) return this.#serializers.get(eventType);
    const schema = this.#schemas.get(eventType);
    const serializer =
      schema === undefined ? undefined : compiledOnce(compiledSerializers, schema, compilePayloadSerializer);
    this.#serializers.set(eventType, serializer);
    return serializer;
  }

  /** Validates a payload against its type's schema and returns the parsed payload. */
  parsePayload(eventType: string, payload: unknown): Record<string, unknown> {
    const schema = this.#schemas.get(eventType);
    if (schema === undefined) {
      throw new ObsValidationError(`event type "${eventType}"`, [
        {
          path: 'event_type',
          message: `"${eventType}" is not registered; register it with defineEventType()`,
        },
      ]);
    }
    let validator = this.#validators.get(eventType);
    if (validator === undefined && !this.#validators.has(eventType)) {
      validator = compiledOnce(compiledValidators, schema, (s) => compilePayloadValidator(s));
      this.#validators.set(eventType, validator);
    }
    const checked = validator?.(payload);
    if (checked !== undefined) return checked;
    const result = schema.safeParse(payload);
    if (!result.success) {
      throw new ObsValidationError(
        `payload for "${eventType}"`,
        fromZodIssues(result.error.issues, 'payload'),
      );
    }
    return result.data as Record<string, unknown>;
  }
}
