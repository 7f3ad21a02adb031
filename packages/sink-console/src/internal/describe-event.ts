import type { Envelope } from '@obs/core';
import { compactJson } from './text.js';

/** How the outcome of a line is coloured. */
export type Tone = 'ok' | 'error' | 'warn' | 'plain';

/** What a trace line says about one event, before layout, truncation and colour. */
export interface LineParts {
  /** In brackets: the span's layer, else a short name of the event type. */
  tag: string;
  /** Colour family of the tag. */
  kind: 'span' | 'tool' | 'llm' | 'run' | 'log' | 'error' | 'other';
  operation: string;
  input?: string | undefined;
  output?: string | undefined;
  tone: Tone;
  durationMs?: number | null | undefined;
  /** Shown last, in brackets (cost, confidence, reason…). */
  extra?: string | undefined;
}

type Payload = Record<string, unknown>;
type Describe = (p: Payload, e: Envelope, jsonMax: number) => LineParts;

const str = (p: Payload, key: string): string | undefined => {
  const v = p[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};
const num = (p: Payload, key: string): number | undefined => {
  const v = p[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const errorMessage = (p: Payload): string | undefined => {
  const error = p['error'];
  return typeof error === 'object' && error !== null ? str(error as Payload, 'message') : undefined;
};
/** A value as a short summary: strings as they are, anything else as compact JSON. */
const summary = (value: unknown, jsonMax: number): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.length > jsonMax ? value.slice(0, jsonMax + 1) : value;
  return compactJson(value, jsonMax);
};
const joined = (...parts: (string | undefined)[]): string | undefined => {
  const present = parts.filter((p) => p !== undefined);
  return present.length > 0 ? present.join(', ') : undefined;
};

/** `$0.0030`, `$1.25`. */
export function formatCost(usd: number): string {
  return `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4)}`;
}

/** `512 B`, `4.0 KB`, `12.3 MB`. */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const BUILTIN: Record<string, Describe> = {
  span: (p, e) => ({
    tag: str(p, 'layer') ?? 'span',
    kind: 'span',
    operation: str(p, 'operation') ?? 'span',
    input: str(p, 'input_summary'),
    output: e.status === 'error' ? `error: ${errorMessage(p) ?? 'failed'}` : str(p, 'output_summary'),
    tone: 'plain',
  }),
  'tool.call': (p, _e, max) => ({
    tag: 'tool',
    kind: 'tool',
    operation: str(p, 'tool') ?? 'tool',
    input: summary(p['arguments'], max),
    tone: 'plain',
  }),
  'tool.result': (p, _e, max) => ({
    tag: 'tool',
    kind: 'tool',
    operation: str(p, 'tool') ?? 'tool',
    output:
      p['success'] === false ? `error: ${errorMessage(p) ?? 'failed'}` : (summary(p['output'], max) ?? 'ok'),
    tone: p['success'] === false ? 'error' : 'ok',
  }),
  'llm.call': (p, e) => {
    const prompt = num(p, 'prompt_tokens');
    const completion = num(p, 'completion_tokens');
    const total = num(p, 'total_tokens');
    const cost = num(p, 'cost_usd');
    const finish = str(p, 'finish_reason');
    return {
      tag: 'llm',
      kind: 'llm',
      operation: str(p, 'model') ?? 'llm',
      input: prompt === undefined ? undefined : `${prompt} tok`,
      output:
        completion !== undefined
          ? `${completion} tok`
          : total !== undefined && prompt === undefined
            ? `${total} tok`
            : undefined,
      tone: 'plain',
      durationMs: e.duration_ms ?? num(p, 'latency_ms'),
      extra: joined(
        cost === undefined ? undefined : formatCost(cost),
        finish === 'stop' ? undefined : finish,
      ),
    };
  },
  'run.started': (p) => ({
    tag: 'run',
    kind: 'run',
    operation: 'started',
    input: str(p, 'goal'),
    tone: 'plain',
    extra: str(p, 'agent'),
  }),
  'run.finished': (p) => {
    const tokens = num(p, 'total_tokens');
    const cost = num(p, 'total_cost_usd');
    const outcome = str(p, 'outcome');
    return {
      tag: 'run',
      kind: 'run',
      operation: 'finished',
      input: str(p, 'summary'),
      output: outcome,
      tone: outcome === undefined ? 'plain' : outcome === 'success' ? 'ok' : 'error',
      extra: joined(
        tokens === undefined ? undefined : `${tokens} tokens`,
        cost === undefined ? undefined : formatCost(cost),
      ),
    };
  },
  'agent.thought': (p) => ({
    tag: 'thought',
    kind: 'other',
    operation: str(p, 'kind') ?? 'thought',
    input: str(p, 'content'),
    tone: 'plain',
  }),
  'decision.trace': (p) => {
    const confidence = num(p, 'confidence');
    return {
      tag: 'decision',
      kind: 'other',
      operation: str(p, 'decision') ?? 'decision',
      input: str(p, 'rationale'),
      tone: 'plain',
      extra: confidence === undefined ? undefined : `confidence ${confidence}`,
    };
  },
  orchestration: (p) => ({
    tag: 'orch',
    kind: 'other',
    operation: str(p, 'change') ?? 'change',
    input: str(p, 'from') ?? '-',
    output: str(p, 'to') ?? '-',
    tone: 'plain',
    extra: str(p, 'reason'),
  }),
  log: (p, _e, max) => {
    const level = str(p, 'level') ?? 'log';
    return {
      tag: 'log',
      kind: level === 'error' || level === 'fatal' ? 'error' : 'log',
      operation: level,
      input: str(p, 'message'),
      tone: level === 'error' || level === 'fatal' ? 'error' : level === 'warn' ? 'warn' : 'plain',
      extra: p['fields'] === undefined ? undefined : compactJson(p['fields'], max),
    };
  },
  error: (p) => ({
    tag: 'error',
    kind: 'error',
    operation: str(p, 'stage') ?? 'error',
    input: str(p, 'message'),
    tone: 'error',
    extra: p['recoverable'] === true ? 'recoverable' : undefined,
  }),
  artifact: (p) => {
    const bytes = num(p, 'bytes');
    const name = str(p, 'name');
    return {
      tag: 'artifact',
      kind: 'other',
      operation: name ?? str(p, 'uri') ?? 'artifact',
      input: name === undefined ? undefined : str(p, 'uri'),
      tone: 'plain',
      extra: joined(str(p, 'mime'), bytes === undefined ? undefined : formatBytes(bytes)),
    };
  },
  'observed.op': (p) => ({
    tag: 'op',
    kind: 'other',
    operation: str(p, 'endpoint') ?? 'op',
    input: str(p, 'input_summary'),
    output: str(p, 'output_summary') ?? (p['success'] === false ? 'failed' : 'ok'),
    tone: p['success'] === false ? 'error' : 'ok',
  }),
  'backup.completed': (p) => {
    const bytes = num(p, 'bytes');
    const events = num(p, 'event_count');
    return {
      tag: 'backup',
      kind: 'other',
      operation: 'completed',
      input: str(p, 'key'),
      tone: 'ok',
      durationMs: num(p, 'duration_ms'),
      extra: joined(
        bytes === undefined ? undefined : formatBytes(bytes),
        events === undefined ? undefined : `${events} events`,
      ),
    };
  },
  'backup.failed': (p) => ({
    tag: 'backup',
    kind: 'error',
    operation: 'failed',
    input: str(p, 'message'),
    tone: 'error',
    extra: p['will_retry'] === true ? `attempt ${num(p, 'attempt') ?? '?'}, will retry` : undefined,
  }),
  'obs.dropped': (p) => ({
    tag: 'obs',
    kind: 'error',
    operation: 'dropped',
    input: `sink ${str(p, 'sink') ?? '?'} lost ${num(p, 'lost') ?? '?'} events`,
    tone: 'error',
    extra: `${num(p, 'total_lost') ?? '?'} in all`,
  }),
};

/** An application type `shop.checkout` shows as `[shop] checkout: {"cart_id":…}`. */
const describeCustom: Describe = (p, e, max) => {
  const dot = e.event_type.indexOf('.');
  return {
    tag: dot === -1 ? e.event_type : e.event_type.slice(0, dot),
    kind: 'other',
    operation: dot === -1 ? e.event_type : e.event_type.slice(dot + 1),
    input: Object.keys(p).length === 0 ? undefined : compactJson(p, max),
    tone: 'plain',
  };
};

/**
 * What the trace line of an event says. The envelope's status and duration complete it: an `error`
 * status turns the outcome red (and says `error` when the payload gave no outcome), a timed `ok` says
 * `ok` when there is nothing better to say.
 */
export function describeEvent(envelope: Envelope, jsonMax: number): LineParts {
  const describe = BUILTIN[envelope.event_type] ?? describeCustom;
  const parts = describe(envelope.payload, envelope, jsonMax);
  if (parts.durationMs === undefined) parts.durationMs = envelope.duration_ms;
  if (envelope.status === 'error') {
    parts.tone = 'error';
    if (parts.kind !== 'error') parts.output ??= 'error';
  } else if (envelope.status === 'ok') {
    if (parts.tone === 'plain') parts.tone = 'ok';
    if (parts.output === undefined && parts.durationMs != null) parts.output = 'ok';
  }
  return parts;
}
