import {
  type ComponentLogger,
  type DiagLogger,
  diag,
  type Envelope,
  EventRecord,
  fromZodIssues,
  ObsValidationError,
} from '@obs/core';
import { compileFilter, type FilterMatcher, type StreamFilter, StreamFilterSchema } from './filter.js';

/** Receives one event; a returned promise holds back later events for this subscriber only. */
export type BusHandler = (record: EventRecord) => void | Promise<void>;

/** Options of {@link EventBus.subscribe}. */
export interface BusSubscribeOptions {
  filter?: StreamFilter;
  /** Events held for a subscriber whose handler is still busy; past it the oldest are dropped (default 10 000). */
  maxPending?: number;
}

/** A live subscription; `dropped` counts events it lost by being too slow. */
export interface BusSubscription {
  readonly dropped: number;
  readonly delivered: number;
  unsubscribe(): void;
}

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /** Where handler failures are reported; silent by default. */
  logger?: DiagLogger;
}

class Subscriber implements BusSubscription {
  dropped = 0;
  delivered = 0;
  active = true;
  busy = false;
  readonly queue: EventRecord[] = [];

  constructor(
    readonly matches: FilterMatcher,
    readonly handler: BusHandler,
    readonly maxPending: number,
    readonly detach: (s: Subscriber) => void,
  ) {}

  unsubscribe(): void {
    this.active = false;
    this.queue.length = 0;
    this.detach(this);
  }
}

/**
 * In-process pub/sub of accepted events. `publish` never waits and never throws because of a
 * subscriber: a throwing handler is reported, an async handler gets its own bounded queue.
 */
export class EventBus {
  readonly #log: ComponentLogger;
  #subscribers: Subscriber[] = [];

  constructor(options: EventBusOptions = {}) {
    this.#log = diag(options.logger, 'sink-stream');
  }

  /** Number of live subscriptions. */
  get size(): number {
    return this.#subscribers.length;
  }

  /** Subscribes `handler` to events matching `options.filter`; throws `ObsValidationError` on a bad filter. */
  subscribe(handler: BusHandler, options: BusSubscribeOptions = {}): BusSubscription {
    const parsed = StreamFilterSchema.safeParse(options.filter ?? {});
    if (!parsed.success) throw new ObsValidationError('stream filter', fromZodIssues(parsed.error.issues));
    const maxPending = options.maxPending ?? 10_000;
    if (!Number.isInteger(maxPending) || maxPending < 1) {
      throw new ObsValidationError('bus subscription', [
        { path: 'maxPending', message: 'expected a positive integer' },
      ]);
    }
    const subscriber = new Subscriber(compileFilter(parsed.data), handler, maxPending, (s) => {
      this.#subscribers = this.#subscribers.filter((x) => x !== s);
    });
    this.#subscribers = [...this.#subscribers, subscriber];
    return subscriber;
  }

  /** Delivers one event (an `EventRecord`, or an envelope that is wrapped in one) to matching subscribers. */
  publish(event: EventRecord | Envelope): void {
    const record = event instanceof EventRecord ? event : new EventRecord(event);
    const subscribers = this.#subscribers;
    for (let i = 0; i < subscribers.length; i++) {
      const s = subscribers[i]!;
      let hit: boolean;
      try {
        hit = s.matches(record.envelope);
      } catch {
        hit = false;
      }
      if (!hit) continue;
      if (s.busy) {
        if (s.queue.length >= s.maxPending) {
          s.queue.shift();
          s.dropped++;
        }
        s.queue.push(record);
      } else this.#deliver(s, record);
    }
  }

  #deliver(s: Subscriber, record: EventRecord): void {
    let result: void | Promise<void>;
    try {
      result = s.handler(record);
      s.delivered++;
    } catch (error) {
      this.#report(error);
      return;
    }
    if (result && typeof result.then === 'function') {
      s.busy = true;
      result.then(
        () => this.#next(s),
        (error: unknown) => {
          this.#report(error);
          this.#next(s);
        },
      );
    }
  }

  #next(s: Subscriber): void {
    s.busy = false;
    while (s.active && !s.busy && s.queue.length > 0) this.#deliver(s, s.queue.shift()!);
  }

  #report(error: unknown): void {
    this.#log.warn(`event bus subscriber failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
