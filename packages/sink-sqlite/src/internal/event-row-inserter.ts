import { EVENT_ROW_COLUMNS } from '@obs/store-format';
import type Database from 'better-sqlite3';

/** Values per row, in {@link EVENT_ROW_COLUMNS} order (`event_id` first). */
export const EVENT_ROW_WIDTH = EVENT_ROW_COLUMNS.length;

/**
 * Rows per multi-row INSERT: one statement per row costs ~1.7 µs per event more than 64–256 rows
 * per statement (measured on the schema's table and its nine indexes).
 */
const ROWS_PER_INSERT = 128;

const insertSql = (rows: number) =>
  `INSERT INTO event_rows (${EVENT_ROW_COLUMNS.join(', ')}) VALUES ${Array.from(
    { length: rows },
    () => `(${EVENT_ROW_COLUMNS.map(() => '?').join(', ')})`,
  ).join(', ')} ON CONFLICT (event_id) DO NOTHING`;

/**
 * Inserts a batch's `event_rows`, {@link ROWS_PER_INSERT} per statement, and tells which rows were
 * new (an `event_id` already stored is skipped). Call inside the write transaction.
 */
export class EventRowInserter {
  readonly #many: Database.Statement<unknown[]>;
  readonly #one: Database.Statement<unknown[]>;
  readonly #inserted: Database.Statement<[number, number], string>;
  readonly #chunk: unknown[] = new Array(ROWS_PER_INSERT * EVENT_ROW_WIDTH);
  readonly #row: unknown[] = new Array(EVENT_ROW_WIDTH);

  constructor(db: Database.Database) {
    this.#many = db.prepare(insertSql(ROWS_PER_INSERT));
    this.#one = db.prepare(insertSql(1));
    this.#inserted = db
      .prepare<[number, number], string>('SELECT event_id FROM event_rows WHERE id > ? AND id <= ?')
      .pluck();
  }

  /** Inserts `count` rows whose values are laid out flat in `values`; 1 marks each row that was new. */
  insert(values: readonly unknown[], count: number): Uint8Array {
    const fresh = new Uint8Array(count);
    const full = count - (count % ROWS_PER_INSERT);
    for (let from = 0; from < full; from += ROWS_PER_INSERT) {
      copy(values, from * EVENT_ROW_WIDTH, this.#chunk);
      this.#run(this.#many, this.#chunk, values, from, ROWS_PER_INSERT, fresh);
    }
    for (let i = full; i < count; i++) {
      copy(values, i * EVENT_ROW_WIDTH, this.#row);
      this.#run(this.#one, this.#row, values, i, 1, fresh);
    }
    return fresh;
  }

  #run(
    statement: Database.Statement<unknown[]>,
    params: unknown[],
    values: readonly unknown[],
    from: number,
    rows: number,
    fresh: Uint8Array,
  ): void {
    const { changes, lastInsertRowid } = statement.run(params);
    if (changes === rows) {
      fresh.fill(1, from, from + rows);
      return;
    }
    if (changes === 0) return;
    // Some were already stored. The statement's new rows took the ids after the table's largest,
    // in VALUES order, so they are the last `changes` ids; the first row of an id repeated within
    // the statement is the one stored.
    const last = Number(lastInsertRowid);
    const stored = new Set(this.#inserted.all(last - changes, last));
    if (stored.size !== changes) {
      throw new Error(`${changes} event rows were inserted but ${stored.size} found under their ids`);
    }
    for (let i = from; i < from + rows; i++) {
      if (stored.delete(values[i * EVENT_ROW_WIDTH] as string)) fresh[i] = 1;
    }
  }
}

function copy(values: readonly unknown[], at: number, into: unknown[]): void {
  for (let k = 0; k < into.length; k++) into[k] = values[at + k];
}
