import { z } from 'zod';
import type { StreamErrorCode } from './errors.js';
import { StreamFilterSchema } from './filter.js';

/** The wire protocol version; every message carries it as `v`. */
export const PROTOCOL_VERSION = 1;

const subscriptionId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'expected 1-64 characters of [A-Za-z0-9_.:-]');

/** Client → server: start a subscription, optionally replaying what the ring buffer holds after `since`. */
export const SubscribeMessageSchema = z.strictObject({
  type: z.literal('subscribe'),
  v: z.literal(PROTOCOL_VERSION),
  id: subscriptionId,
  filter: StreamFilterSchema.optional(),
  since: z.number().int().nonnegative().optional(),
  /** The server epoch `since` refers to (from `hello`); a different epoch means the server restarted. */
  epoch: z.string().max(64).optional(),
});

/** Client → server: end a subscription. */
export const UnsubscribeMessageSchema = z.strictObject({
  type: z.literal('unsubscribe'),
  v: z.literal(PROTOCOL_VERSION),
  id: subscriptionId,
});

/** Client → server: application-level ping; answered with a `heartbeat`. */
export const PingMessageSchema = z.strictObject({ type: z.literal('ping'), v: z.literal(PROTOCOL_VERSION) });

/** Every message a client may send. */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  SubscribeMessageSchema,
  UnsubscribeMessageSchema,
  PingMessageSchema,
]);

/** A message a client sends (see {@link ClientMessageSchema}). */
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
/** A `subscribe` message. */
export type SubscribeMessage = z.infer<typeof SubscribeMessageSchema>;

const seq = z.number().int().nonnegative();

/** Server → client: sent once on connect. */
export const HelloMessageSchema = z.object({
  type: z.literal('hello'),
  v: z.literal(PROTOCOL_VERSION),
  epoch: z.string(),
  seq,
  oldest: seq,
  heartbeat_ms: z.number().int().positive(),
  limits: z.object({ max_message_bytes: z.number().int(), max_subscriptions: z.number().int() }),
});

/** One delivered event: its stream sequence, the subscriptions it matched and the envelope. */
export const EventItemSchema = z.object({
  seq: z.number().int().positive(),
  subs: z.array(z.string()),
  event: z.record(z.string(), z.unknown()),
});

/** Server → client: one event. */
export const EventMessageSchema = EventItemSchema.extend({
  type: z.literal('event'),
  v: z.literal(PROTOCOL_VERSION),
});

/** Server → client: several events in stream order, sent when more than one is pending. */
export const EventsMessageSchema = z.object({
  type: z.literal('events'),
  v: z.literal(PROTOCOL_VERSION),
  events: z.array(EventItemSchema),
});

/** Reasons a `gap` is sent. */
export const GAP_REASONS = ['evicted', 'reset', 'slow_client'] as const;
/** Why events were skipped. */
export type GapReason = (typeof GAP_REASONS)[number];

/** Server → client: events with sequences `from..to` (inclusive) may have matched but will never be sent. */
export const GapMessageSchema = z.object({
  type: z.literal('gap'),
  v: z.literal(PROTOCOL_VERSION),
  subs: z.array(z.string()),
  from: seq,
  to: seq,
  reason: z.enum(GAP_REASONS),
});

/** Server → client: the subscription is live; everything matching up to `seq` was sent before this. */
export const SubscribedMessageSchema = z.object({
  type: z.literal('subscribed'),
  v: z.literal(PROTOCOL_VERSION),
  id: z.string(),
  seq,
  epoch: z.string(),
});

/** Server → client: the subscription ended. */
export const UnsubscribedMessageSchema = z.object({
  type: z.literal('unsubscribed'),
  v: z.literal(PROTOCOL_VERSION),
  id: z.string(),
});

/** Server → client: a message was refused; the connection stays open. */
export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  v: z.literal(PROTOCOL_VERSION),
  code: z.string(),
  message: z.string(),
  id: z.string().optional(),
});

/** Server → client: periodic liveness; everything matching up to `seq` was sent before it. */
export const HeartbeatMessageSchema = z.object({
  type: z.literal('heartbeat'),
  v: z.literal(PROTOCOL_VERSION),
  seq,
  time: z.string(),
});

/** Every message a server may send. */
export const ServerMessageSchema = z.discriminatedUnion('type', [
  HelloMessageSchema,
  EventMessageSchema,
  EventsMessageSchema,
  GapMessageSchema,
  SubscribedMessageSchema,
  UnsubscribedMessageSchema,
  ErrorMessageSchema,
  HeartbeatMessageSchema,
]);

/** A message a server sends (see {@link ServerMessageSchema}). */
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
/** One element of an `events` message. */
export type EventItem = z.infer<typeof EventItemSchema>;
/** A `gap` message. */
export type GapMessage = z.infer<typeof GapMessageSchema>;
/** A `hello` message. */
export type HelloMessage = z.infer<typeof HelloMessageSchema>;

/** Encodes one event item around the canonical envelope JSON, without re-serializing it. */
export function encodeEventItem(seq: number, subsJson: string, eventJson: string): string {
  return `{"seq":${seq},"subs":${subsJson},"event":${eventJson}}`;
}

/** Encodes an `event` message for one item or an `events` message for several. */
export function encodeEventFrame(items: readonly string[]): string {
  if (items.length === 1) return `{"type":"event","v":1,${items[0]!.slice(1)}`;
  return `{"type":"events","v":1,"events":[${items.join(',')}]}`;
}

/** Encodes a server control message. */
export function encodeControl(
  message:
    | Omit<z.infer<typeof HelloMessageSchema>, 'v'>
    | Omit<GapMessage, 'v'>
    | Omit<z.infer<typeof SubscribedMessageSchema>, 'v'>
    | Omit<z.infer<typeof UnsubscribedMessageSchema>, 'v'>
    | Omit<z.infer<typeof HeartbeatMessageSchema>, 'v'>
    | (Omit<z.infer<typeof ErrorMessageSchema>, 'v' | 'code'> & { code: StreamErrorCode }),
): string {
  const { type, ...rest } = message;
  return JSON.stringify({ type, v: PROTOCOL_VERSION, ...rest });
}
