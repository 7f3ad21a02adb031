import type { FilterFields } from './filter.js';

/** One event as the stream server keeps it: its stream sequence, filter fields and canonical JSON. */
export interface StreamItem {
  readonly seq: number;
  readonly fields: FilterFields;
  readonly json: string;
}

/** The most recent events, bounded by count and by total JSON length, for replay after `since`. */
export class RingBuffer {
  readonly #items: (StreamItem | undefined)[];
  readonly #maxBytes: number;
  #head = 0;
  #size = 0;
  #bytes = 0;

  constructor(capacity: number, maxBytes: number) {
    this.#items = new Array(capacity);
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Sequence of the oldest held event, or `undefined` when empty. */
  get oldestSeq(): number | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head]!.seq;
  }

  push(item: StreamItem): void {
    const capacity = this.#items.length;
    if (capacity === 0) return;
    if (this.#size === capacity) this.#dropOldest();
    this.#items[(this.#head + this.#size) % capacity] = item;
    this.#size++;
    this.#bytes += item.json.length;
    while (this.#bytes > this.#maxBytes && this.#size > 1) this.#dropOldest();
  }

  /** Held events with a sequence above `since`, oldest first. */
  *after(since: number): Generator<StreamItem> {
    const capacity = this.#items.length;
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(this.#head + i) % capacity]!;
      if (item.seq > since) yield item;
    }
  }

  #dropOldest(): void {
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    this.#bytes -= item.json.length;
  }
}
