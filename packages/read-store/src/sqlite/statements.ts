import type Database from 'better-sqlite3';

/** Prepared statements cached by SQL text (queries are built from a fixed set of fragments). */
export class Statements {
  readonly #db: Database.Database;
  readonly #cache = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(sql: string): Database.Statement {
    let statement = this.#cache.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }

  /** A statement that returns each row's first column alone (cached apart from {@link get}'s). */
  plucked(sql: string): Database.Statement {
    const key = `pluck:${sql}`;
    let statement = this.#cache.get(key);
    if (statement === undefined) {
      statement = this.#db.prepare(sql).pluck();
      this.#cache.set(key, statement);
    }
    return statement;
  }

  /** A statement that returns each row as an array of its columns (cached apart from {@link get}'s). */
  raw(sql: string): Database.Statement {
    const key = `raw:${sql}`;
    let statement = this.#cache.get(key);
    if (statement === undefined) {
      statement = this.#db.prepare(sql).raw();
      this.#cache.set(key, statement);
    }
    return statement;
  }

  /** The integer key of a name in a dictionary table (`runs`, `sessions`, `event_types`, `sources`). */
  key(table: 'runs' | 'sessions' | 'event_types' | 'sources', name: string): number | undefined {
    const [keyColumn, nameColumn] = KEYS[table];
    const row = this.get(`SELECT ${keyColumn} AS k FROM ${table} WHERE ${nameColumn} = ?`).get(name) as
      | { k: number }
      | undefined;
    return row?.k;
  }
}

const KEYS = {
  runs: ['run_key', 'run_id'],
  sessions: ['session_key', 'session_id'],
  event_types: ['type_key', 'event_type'],
  sources: ['source_key', 'source'],
} as const;

/** `%text%` for `LIKE ? ESCAPE '\'`, with `%`, `_` and `\` in the text matched literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
