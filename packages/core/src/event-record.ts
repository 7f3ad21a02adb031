import { serializeEnvelopeWith } from './canonical-json.js';
import type { Envelope } from './envelope.js';
import type { PayloadSerializer } from './payload-serializer.js';

/**
 * An accepted event on its way to the sinks. The canonical JSON text is made once, by the first
 * sink batch that needs it, and shared by every sink.
 */
export class EventRecord {
  readonly envelope: Envelope;
  /** Sinks that dropped this event (overflow policy) or failed to write it after every retry. */
  undelivered = 0;
  #json: string | undefined;
  readonly #payloadSerializer: PayloadSerializer | undefined;

  /** `payloadSerializer`: compiled from the payload's schema (the registry's), for the same bytes faster. */
  constructor(envelope: Envelope, json?: string, payloadSerializer?: PayloadSerializer) {
    this.envelope = envelope;
    this.#json = json;
    this.#payloadSerializer = payloadSerializer;
  }

  /** The canonical JSON text of the envelope (see `serializeEnvelope`). */
  get json(): string {
    if (this.#json === undefined) this.#json = serializeEnvelopeWith(this.envelope, this.#payloadSerializer);
    return this.#json;
  }
}
