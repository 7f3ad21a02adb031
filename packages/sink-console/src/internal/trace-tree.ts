import type { EventRecord } from '@obs/core';

/** Bounds and timing of a {@link TraceTree}. */
export interface TraceTreeOptions {
  /** How long an event whose parent has not arrived waits for it (0: until the end of its batch). */
  holdMs: number;
  /** Most events waiting at once; past it the oldest is shown without its parent. */
  maxHeld: number;
  /** Most event ids whose depth is remembered; one used within the last `maxTracked / 2` always is. */
  maxTracked: number;
}

type Held = { record: EventRecord; deadline: number; done: boolean };

/**
 * Puts events in trace order for a live view. An event whose parent was shown goes one level below
 * it at once. obs records a span when it ends, after what happened inside it, so an event whose
 * parent has not arrived waits (at most `holdMs`) for it; when the parent comes, it is shown first
 * and the events that waited follow beneath it in time order. An event whose parent does not come
 * in time (still running, in another process, forgotten) is shown one level deep, with whatever
 * waited for it beneath it. Memory is bounded by `maxHeld` and `maxTracked`.
 */
export class TraceTree {
  readonly #options: TraceTreeOptions;
  readonly #show: (record: EventRecord, depth: number) => void;
  /** Depth of each shown event id, in two generations: the older one is dropped whole when the newer fills. */
  #depths = new Map<string, number>();
  #olderDepths = new Map<string, number>();
  /** Held events by the parent id they wait for. */
  readonly #waiting = new Map<string, Held[]>();
  /** Held events by their own id. */
  readonly #held = new Map<string, Held>();
  /** Held events in arrival (= deadline) order; `done` ones are skipped. */
  #queue: Held[] = [];
  #head = 0;

  constructor(options: TraceTreeOptions, show: (record: EventRecord, depth: number) => void) {
    this.#options = options;
    this.#show = show;
  }

  /** Events waiting for their parent. */
  get held(): number {
    return this.#held.size;
  }

  /** Event ids whose depth is remembered (at most `maxTracked`). */
  get tracked(): number {
    return this.#depths.size + this.#olderDepths.size;
  }

  /** Shows `record` now (and whatever waited for it) or holds it until its parent arrives. */
  add(record: EventRecord, now: number): void {
    const { event_id: id, parent_event_id: parent } = record.envelope;
    const parentDepth = parent === null ? -1 : this.#depthOf(parent);
    // a duplicate id is shown at once: nothing can wait for both
    if (parent === null || parentDepth !== undefined || this.#held.has(id)) {
      this.#showTree(record, (parentDepth ?? 0) + 1);
      return;
    }
    const held: Held = { record, deadline: now + this.#options.holdMs, done: false };
    this.#held.set(id, held);
    const siblings = this.#waiting.get(parent);
    if (siblings) siblings.push(held);
    else this.#waiting.set(parent, [held]);
    this.#queue.push(held);
    while (this.#held.size > this.#options.maxHeld) this.#releaseOldest();
  }

  /** Shows the events whose wait is over; returns when the next wait ends, if one is held. */
  expire(now: number): number | undefined {
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      if (!next.done && next.deadline > now) return next.deadline;
      this.#releaseOldest();
    }
    return undefined;
  }

  /** Shows everything held (flush, close). */
  releaseAll(): void {
    while (this.#head < this.#queue.length) this.#releaseOldest();
  }

  /** Releases the oldest held event, as part of the subtree of its topmost held ancestor. */
  #releaseOldest(): void {
    const oldest = this.#queue[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (oldest === undefined || oldest.done) return;
    // a parent that arrived but waits for its own parent goes first, with this event beneath it;
    // the walk is bounded by the number held, so made-up ids forming a cycle cannot loop
    let top = oldest;
    for (let steps = this.#held.size; steps > 0; steps--) {
      const parent = this.#held.get(top.record.envelope.parent_event_id!);
      if (parent === undefined || parent === oldest) break;
      top = parent;
    }
    this.#unhold(top);
    const parent = top.record.envelope.parent_event_id!;
    const siblings = this.#waiting.get(parent);
    if (siblings) {
      siblings.splice(siblings.indexOf(top), 1);
      if (siblings.length === 0) this.#waiting.delete(parent);
    }
    this.#showTree(top.record, (this.#depthOf(parent) ?? 0) + 1);
  }

  #unhold(held: Held): void {
    held.done = true;
    this.#held.delete(held.record.envelope.event_id);
  }

  /** Shows `record` at `depth`, then the events that waited for it beneath it, depth first, in time order. */
  #showTree(record: EventRecord, depth: number): void {
    this.#show(record, depth);
    this.#remember(record.envelope.event_id, depth);
    if (this.#waiting.size === 0 || !this.#waiting.has(record.envelope.event_id)) return;
    const stack: [EventRecord, number][] = [[record, depth]];
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const [current, at] = item;
      if (current !== record) {
        this.#show(current, at);
        this.#remember(current.envelope.event_id, at);
      }
      const id = current.envelope.event_id;
      const children = this.#waiting.get(id);
      if (children === undefined) continue;
      this.#waiting.delete(id);
      for (const child of children) this.#unhold(child);
      children.sort(byTime);
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!.record, at + 1]);
    }
  }

  /** The depth of a shown event; one found in the older generation moves to the newer one. */
  #depthOf(id: string): number | undefined {
    const depth = this.#depths.get(id);
    if (depth !== undefined) return depth;
    const older = this.#olderDepths.get(id);
    if (older !== undefined) this.#remember(id, older);
    return older;
  }

  /**
   * Remembers a depth. Each generation holds half of `maxTracked`: when the newer is full it becomes
   * the older and the older is dropped, so an id used within the last `maxTracked / 2` is always
   * remembered and eviction costs nothing per event (deleting single entries from the front of a
   * `Map` makes V8 walk over the holes).
   */
  #remember(id: string, depth: number): void {
    this.#depths.set(id, depth);
    if (this.#depths.size >= Math.max(1, Math.floor(this.#options.maxTracked / 2))) {
      this.#olderDepths = this.#depths;
      this.#depths = new Map();
    }
  }
}

/** Siblings in the order they started: spans carry their start time, ties go by emit order. */
function byTime(a: Held, b: Held): number {
  const x = a.record.envelope;
  const y = b.record.envelope;
  if (x.timestamp !== y.timestamp) return x.timestamp < y.timestamp ? -1 : 1;
  return x.seq - y.seq;
}
