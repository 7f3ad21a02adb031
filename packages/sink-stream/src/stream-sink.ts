import {
  fromZodIssues,
  OBS_ERROR_CODES,
  ObsError,
  ObsValidationError,
  type QueueOptions,
  type Sink,
} from '@obs/core';
import { z } from 'zod';
import { EventBus } from './event-bus.js';

/** Queue settings for a stream binding: small linger so live subscribers see events within ~1 ms. */
export const streamQueueDefaults: Readonly<QueueOptions> = Object.freeze({
  lingerMs: 0,
  batchSize: 256,
  capacity: 10_000,
  overflow: 'drop-oldest',
  maxRetries: 0,
});

/** Zod schema of {@link StreamSinkOptions}. */
export const StreamSinkOptionsSchema = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  bus: z.custom<EventBus>((v) => v instanceof EventBus, 'expected an EventBus').optional(),
});

/** Options of {@link createStreamSink}. */
export interface StreamSinkOptions {
  /** Sink name in stats and routes (default `stream`). */
  name?: string;
  /** The bus to publish to; a new one is made when omitted (read it back from `sink.bus`). */
  bus?: EventBus;
}

/** A sink that publishes every batch to an {@link EventBus}. */
export interface StreamSink extends Sink {
  readonly bus: EventBus;
  /** {@link streamQueueDefaults}, applied by the service unless the binding overrides them. */
  readonly queueDefaults: QueueOptions;
}

/** Creates the sink that feeds live subscribers: `createStreamSink({ bus })`. */
export function createStreamSink(options: StreamSinkOptions = {}): StreamSink {
  const parsed = StreamSinkOptionsSchema.safeParse(options);
  if (!parsed.success)
    throw new ObsValidationError('stream sink options', fromZodIssues(parsed.error.issues));
  const bus = parsed.data.bus ?? new EventBus();
  const name = parsed.data.name ?? 'stream';
  let closed = false;
  return {
    name,
    bus,
    queueDefaults: streamQueueDefaults,
    write(batch) {
      if (closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, `stream sink "${name}" is closed`);
      for (let i = 0; i < batch.length; i++) bus.publish(batch[i]!);
    },
    flush() {},
    close() {
      closed = true;
    },
    health: () => ({ ok: !closed, detail: `${bus.size} subscribers` }),
  };
}
