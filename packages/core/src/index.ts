export { canonicalJson, serializeEnvelope } from './canonical-json.js';
export { type BuiltinEventType, type BuiltinPayloads, builtinPayloadSchemas } from './catalog.js';
export { loadConfig, OBS_MODES, type ObsConfig, type ObsMode, parseEnv, storesForMode } from './config.js';
export type { ObsConfigOverrides } from './config-overrides.js';
export { currentContext, type ObsContext, withContext } from './context.js';
export {
  type ComponentLogger,
  consoleLogger,
  type DiagLevel,
  type DiagLogger,
  type DiagMethod,
  type DiagOptions,
  diag,
  silentLogger,
} from './diag.js';
export { type DropReport, LOSS_REASONS, type LossCounts, type LossReason } from './drop-reporter.js';
export {
  AUDIT_LEVELS,
  type AuditLevel,
  ENVELOPE_FIELDS,
  type Envelope,
  EnvelopeSchema,
  EVENT_STATUSES,
  EVENT_TYPE_PATTERN,
  type EventStatus,
  EventTypeNameSchema,
  SCHEMA_VERSION,
} from './envelope.js';
export { type EnvelopeInput, EnvelopeInputSchema } from './envelope-input.js';
export {
  OBS_ERROR_CODES,
  ObsConfigError,
  ObsError,
  type ObsErrorCode,
  ObsValidationError,
  toError,
  type ValidationIssue,
} from './errors.js';
export { EventRecord } from './event-record.js';
export { defineEventType, type EventType, type PayloadsOf } from './event-type.js';
export {
  createObservabilityFromEnv,
  type ObservabilityFromEnv,
  type ObservabilityFromEnvOptions,
} from './from-env.js';
export {
  createObservability,
  type EmitOptions,
  type Observability,
  type ObservabilityOptions,
  type ObservabilityStats,
  type SinkBinding,
} from './observability.js';
export type { ModuleImporter } from './optional-package.js';
export { type PayloadGuardOptions, REDACTED } from './payload-guard.js';
export type { OverflowPolicy, QueueOptions, SinkStats } from './queue-options.js';
export { EventRegistry } from './registry.js';
export { globsToRegExp, type Route, Router } from './router.js';
export type { Sink, SinkHealth } from './sink.js';
export type { SpanOptions } from './span.js';
export { ObsTransientError, transienceOf } from './transient-error.js';
export { UUID_V7_PATTERN, uuidv7 } from './uuidv7.js';
export { fromZodIssues, parseOrThrow } from './zod-issues.js';
