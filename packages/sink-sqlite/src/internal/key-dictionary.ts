import type Database from 'better-sqlite3';

const MAX_CACHED = 50_000;

/**
 * Maps names (run ids, event types…) to their integer keys in one table, creating rows on first
 * use. Keys made inside a transaction are cached only once it commits (`commit`/`rollback`).
 */
export class KeyDictionary {
  readonly #select: Database.Statement<[string], { key: number }>;
  readonly #insert: Database.Statement<[string]>;
  readonly #cache = new Map<string, number>();
  readonly #pending = new Map<string, number>();

  constructor(db: Database.Database, table: string, keyColumn: string, nameColumn: string) {
    this.#select = db.prepare(`SELECT ${keyColumn} AS key FROM ${table} WHERE ${nameColumn} = ?`);
    this.#insert = db.prepare(`INSERT INTO ${table} (${nameColumn}) VALUES (?)`);
  }

  /** The key of `name`; call inside the write transaction. */
  keyOf(name: string): number {
    const cached = this.#cache.get(name) ?? this.#pending.get(name);
    if (cached !== undefined) return cached;
    const key = this.#select.get(name)?.key ?? Number(this.#insert.run(name).lastInsertRowid);
    this.#pending.set(name, key);
    return key;
  }

  commit(): void {
    if (this.#pending.size === 0) return;
    if (this.#cache.size + this.#pending.size > MAX_CACHED) this.#cache.clear();
    for (const [name, key] of this.#pending) this.#cache.set(name, key);
    this.#pending.clear();
  }

  rollback(): void {
    this.#pending.clear();
  }
}
