/** What a trail file tells its hash chain: the calls of `TrailChain`, run here or on the chain thread. */
export interface ChainWriter {
  /** Starts chaining the data file `path` (named `file`), `size` bytes long. */
  start(path: string, file: string, size: number): void;
  /** Takes whole lines the trail file just wrote (the buffer may be reused once this returns). */
  appended(buffer: Buffer): void;
  /** Seals the lines since the last seal, if any. */
  seal(): void;
  /** Writes the file's `close` seal and closes the sidecar. */
  close(next: string | null): void;
  /** On rotation: closes this file's chain naming `file` as next, and opens `file`'s chain. */
  rotate(file: string): void;
  /** Closes the sidecar without a record (its data file was removed under it). */
  abandon(): void;
}
