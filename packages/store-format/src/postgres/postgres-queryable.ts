/**
 * The part of a PostgreSQL connection the schema functions use; a `pg` `Client`, `PoolClient` or
 * `Pool` fits. Kept structural so this package does not depend on a driver. Every value goes in
 * `values` (`$1`, `$2`…), never into the text.
 */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}
