import type { AuditLevel } from '@obs/core';
import type { FilterFields } from './filter.js';

/** One event as the stream server keeps it: its stream sequence, filter fields and canonical JSON. */
export interface StreamItem {
  readonly seq: number;
  readonly fields: FilterFields;
  readonly json: string;
}

/** Bytes of one slab of held JSON (an event longer than that gets a slab of its own). */
const SLAB_BYTES = 1024 * 1024;

/**
 * The most recent events, bounded by count and by total JSON bytes (UTF-8), for replay after `since`.
 *
 * Held events outlive young-generation collections, and every object or string they keep on the JS
 * heap is copied at each one: with a string and two objects per event the pauses, and so the live
 * stream's tail latency, were several times a bare `ws` server's. So nothing is allocated per event:
 * the JSON is copied into reused slabs outside the heap, the rest into preallocated columns.
 */
export class RingBuffer {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #seqs: Float64Array;
  readonly #offsets: Uint32Array;
  readonly #lengths: Uint32Array;
  readonly #slabs: (Buffer | undefined)[];
  readonly #types: string[];
  readonly #runs: string[];
  readonly #sessions: (string | null)[];
  readonly #levels: AuditLevel[];
  readonly #slabBytes: number;
  #slab: Buffer | undefined;
  #slabUsed = 0;
  #spare: Buffer | undefined;
  #head = 0;
  #size = 0;
  #bytes = 0;

  constructor(capacity: number, maxBytes: number) {
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#seqs = new Float64Array(capacity);
    this.#offsets = new Uint32Array(capacity);
    this.#lengths = new Uint32Array(capacity);
    this.#slabs = new Array(capacity);
    this.#types = new Array(capacity);
    this.#runs = new Array(capacity);
    this.#sessions = new Array(capacity);
    this.#levels = new Array(capacity);
    this.#slabBytes = Math.min(SLAB_BYTES, Math.max(64 * 1024, maxBytes));
  }

  get size(): number {
    return this.#size;
  }

  /** UTF-8 bytes of the held JSON. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Sequence of the oldest held event, or `undefined` when empty. */
  get oldestSeq(): number | undefined {
    return this.#size === 0 ? undefined : this.#seqs[this.#head];
  }

  /** Holds an event (at least the newest one, whatever its size), dropping the oldest past either bound. */
  push(seq: number, fields: FilterFields, json: string): void {
    if (this.#capacity === 0) return;
    if (this.#size === this.#capacity) this.#dropOldest();
    const length = Buffer.byteLength(json, 'utf8');
    while (this.#size > 0 && this.#bytes + length > this.#maxBytes) this.#dropOldest();
    const slab = this.#slabFor(length);
    slab.write(json, this.#slabUsed, 'utf8');
    const at = (this.#head + this.#size) % this.#capacity;
    this.#seqs[at] = seq;
    this.#offsets[at] = this.#slabUsed;
    this.#lengths[at] = length;
    this.#slabs[at] = slab;
    this.#types[at] = fields.event_type;
    this.#runs[at] = fields.run_id;
    this.#sessions[at] = fields.session_id;
    this.#levels[at] = fields.audit_level;
    this.#slabUsed += length;
    this.#size++;
    this.#bytes += length;
  }

  /** Held events with a sequence above `since`, oldest first. */
  *after(since: number): Generator<StreamItem> {
    for (let i = 0; i < this.#size; i++) {
      const at = (this.#head + i) % this.#capacity;
      const seq = this.#seqs[at]!;
      if (seq <= since) continue;
      const offset = this.#offsets[at]!;
      const fields: FilterFields = {
        event_type: this.#types[at]!,
        run_id: this.#runs[at]!,
        session_id: this.#sessions[at]!,
        audit_level: this.#levels[at]!,
      };
      yield { seq, fields, json: this.#slabs[at]!.toString('utf8', offset, offset + this.#lengths[at]!) };
    }
  }

  /** The slab the next `length` bytes go to: the current one, or a new (or spare) one when it is full. */
  #slabFor(length: number): Buffer {
    if (this.#slab !== undefined && this.#slabUsed + length <= this.#slab.length) return this.#slab;
    if (length > this.#slabBytes) this.#slab = Buffer.allocUnsafeSlow(length);
    else {
      this.#slab = this.#spare ?? Buffer.allocUnsafeSlow(this.#slabBytes);
      this.#spare = undefined;
    }
    this.#slabUsed = 0;
    return this.#slab;
  }

  #dropOldest(): void {
    const at = this.#head;
    const slab = this.#slabs[at]!;
    this.#slabs[at] = undefined;
    this.#head = (at + 1) % this.#capacity;
    this.#size--;
    this.#bytes -= this.#lengths[at]!;
    const next = this.#size === 0 ? undefined : this.#slabs[this.#head];
    // events fill slabs in order: once the oldest event is in another slab, this one is unused
    if (next !== slab && slab !== this.#slab && slab.length === this.#slabBytes) this.#spare = slab;
  }
}
