let counter = 0;

/** A schema name no other test of this process uses: each test gets an empty store in one cluster. */
export function freshSchema(prefix = 't'): string {
  counter++;
  return `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}
