import { serializeEnvelope } from './canonical-json.js';
import type { Envelope } from './envelope.js';

/**
 * An accepted event on its way to the sinks. The canonical JSON text is made once, by the first
 * sink batch that needs it, and shared by every sink.
 */
export class EventRecord {
  readonly envelope: Envelope;
  /** Sinks that dropped this event (overflow policy) or failed to write it after every retry. */
  undelivered = 0;
  #json: string | undefined;

  constructor(envelope: Envelope, json?: string) {
    this.envelope = envelope;
    this.#json = json;
  }

  /** The canonical JSON text of the envelope (see `serializeEnvelope`). */
  get json(): string {
    if (this.#json === undefined) this.#json = serializeEnvelope(this.envelope);
    return this.#json;
  }
}
