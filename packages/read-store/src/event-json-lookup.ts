/** Finds events' stored canonical JSON by `event_id`, in batches: what `obs verify --db` compares a trail with. */
export interface EventJsonLookup {
  /** The stored JSON text of each of `ids` the store holds (absent ones are left out). */
  jsonOf(ids: readonly string[]): Promise<Map<string, string>>;
  /** Events in the store. */
  count(): Promise<number>;
  close(): Promise<void>;
}
