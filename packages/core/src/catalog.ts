import { z } from 'zod';

const text = (max = 1_000_000) => z.string().max(max);
const name = z.string().min(1).max(512);
const count = z.number().int().nonnegative();
const opt = <T extends z.ZodType>(schema: T) => schema.optional();

/**
 * A strict object whose shape is in sorted key order: zod outputs keys in shape order, so parsed
 * payloads are already canonical and serialization copies nothing.
 */
const strict = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(Object.fromEntries(Object.entries(shape).sort(([a], [b]) => (a < b ? -1 : 1))) as T);

const lossCounts = strict({
  drop_newest: opt(count),
  drop_oldest: opt(count),
  queue_full: opt(count),
  write_failed: opt(count),
});

/**
 * Where an event came from when it was mapped from OpenTelemetry (`@obs/otlp`): trace and span ids,
 * exact nanosecond times as decimal strings, kind, and the original attributes (bounded).
 */
const otel = opt(z.record(z.string(), z.unknown()));

const errorInfo = strict({
  message: text(),
  stack: opt(text()),
  type: opt(name),
});

/** Payload schemas of the built-in event types (SPEC §2), all strict: unknown keys are rejected. */
export const builtinPayloadSchemas = {
  'run.started': strict({
    agent: opt(name),
    goal: opt(text()),
    input: opt(z.unknown()),
    metadata: opt(z.record(z.string(), z.unknown())),
  }),
  'run.finished': strict({
    outcome: opt(z.enum(['success', 'failure', 'cancelled', 'timeout'])),
    summary: opt(text()),
    output: opt(z.unknown()),
    total_tokens: opt(count),
    total_cost_usd: opt(z.number().nonnegative()),
  }),
  'agent.thought': strict({
    content: text(),
    kind: opt(z.enum(['reasoning', 'plan', 'reflection', 'observation'])),
  }),
  'tool.call': strict({
    tool: name,
    call_id: opt(name),
    arguments: opt(z.unknown()),
    otel,
  }),
  'tool.result': strict({
    tool: name,
    call_id: opt(name),
    success: z.boolean(),
    output: opt(z.unknown()),
    error: opt(errorInfo),
    otel,
  }),
  'llm.call': strict({
    provider: name,
    model: name,
    prompt_tokens: opt(count),
    completion_tokens: opt(count),
    total_tokens: opt(count),
    cost_usd: opt(z.number().nonnegative()),
    latency_ms: opt(z.number().nonnegative()),
    input: opt(z.unknown()),
    output: opt(z.unknown()),
    finish_reason: opt(z.string().max(64)),
    temperature: opt(z.number()),
    cache_read_tokens: opt(count),
    cache_write_tokens: opt(count),
    reasoning_tokens: opt(count),
    otel,
  }),
  'decision.trace': strict({
    decision: text(),
    rationale: opt(text()),
    options: opt(z.array(z.unknown()).max(1000)),
    confidence: opt(z.number().min(0).max(1)),
  }),
  orchestration: strict({
    change: z.enum(['stance', 'gate', 'route', 'handoff', 'other']),
    from: opt(z.string().max(512).nullable()),
    to: opt(z.string().max(512).nullable()),
    reason: opt(text()),
  }),
  span: strict({
    operation: name,
    component: opt(name),
    layer: opt(name),
    input_summary: opt(text()),
    output_summary: opt(text()),
    error: opt(errorInfo),
    otel,
  }),
  log: strict({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']),
    message: text(),
    fields: opt(z.record(z.string(), z.unknown())),
    otel,
  }),
  error: strict({
    stage: name,
    message: text(),
    stack: opt(text()),
    recoverable: z.boolean(),
    type: opt(name),
    otel,
  }),
  artifact: strict({
    uri: z.string().min(1).max(4096),
    mime: opt(z.string().max(256)),
    bytes: opt(count),
    sha256: opt(z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex characters')),
    name: opt(name),
  }),
  'observed.op': strict({
    endpoint: name,
    success: z.boolean(),
    input_summary: opt(text()),
    output_summary: opt(text()),
  }),
  'backup.completed': strict({
    key: z.string().min(1).max(1024),
    bytes: count,
    database_bytes: count,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    event_count: count,
    duration_ms: z.number().nonnegative(),
    /** True when the restore drill passed; false when it was turned off; absent from older writers. */
    verified: opt(z.boolean()),
    drill_ms: opt(z.number().nonnegative()),
  }),
  'backup.failed': strict({
    message: text(),
    attempt: count,
    will_retry: z.boolean(),
    code: opt(z.string().max(128)),
    /** `drill` when the backup was uploaded but its restore drill failed. */
    stage: opt(z.enum(['backup', 'drill'])),
    key: opt(z.string().min(1).max(1024)),
  }),
  'obs.dropped': strict({
    sink: name,
    counts: lossCounts,
    lost: count,
    totals: lossCounts,
    total_lost: count,
    from: z.iso.datetime(),
    to: z.iso.datetime(),
  }),
} as const;

/** Payload types of the built-in event types, keyed by event type. */
export type BuiltinPayloads = {
  [K in keyof typeof builtinPayloadSchemas]: z.input<(typeof builtinPayloadSchemas)[K]>;
};

/** Names of the built-in event types. */
export type BuiltinEventType = keyof BuiltinPayloads;
