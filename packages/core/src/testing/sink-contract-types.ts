import type { Sink } from '../sink.js';

/** The matchers of vitest's `expect` the suite uses (vitest's own `expect` fits). */
export interface SinkContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeInstanceOf(expected: unknown): void;
  toContain(expected: unknown): void;
  toBeGreaterThan(expected: number): void;
  toBeLessThan(expected: number): void;
}

/** vitest's `expect`, as the suite calls it. */
export type SinkContractExpect = (actual: unknown, message?: string) => SinkContractAssertion;

/**
 * The test API the suite registers its tests with: pass `{ describe, it, expect }` from `vitest`.
 * It is a parameter, not an import, so `@obs/core` does not depend on vitest.
 */
export interface SinkContractTestApi {
  describe(name: string, body: () => void): void;
  it: {
    (name: string, body: () => Promise<void>, timeoutMs?: number): void;
    skip(name: string, body: () => void): void;
  };
  expect: SinkContractExpect;
}

/** One sink under test, with a way to read back what it stored. */
export interface SinkUnderTest<S extends Sink = Sink> {
  sink: S;
  /**
   * Everything stored (or, for a stream, received by a subscriber) so far, one line per event in
   * store order: the exact text when the sink has `bytes: true`, else `serializeEnvelope` of what it
   * keeps. Read it from the store itself (the file, another connection, a socket), not the sink.
   */
  stored(): Promise<readonly string[]>;
  /** Releases what the factory made (temp files, servers); called after the sink is closed. */
  cleanup?(): void | Promise<void>;
}

/** Makes a fresh sink, with an empty store, for one test of the suite. */
export type MakeSink<S extends Sink = Sink> = () => SinkUnderTest<S> | Promise<SinkUnderTest<S>>;

/** A capability a sink does not have, and why: the suite skips its test, naming the reason. */
export interface Unsupported {
  unsupported: string;
}

/**
 * A sink with a real fault armed (a blocked file, a full disk): its writes store part of a batch
 * (the suite's batch alternates `tool.call` and `log` events, starting with a `tool.call`) and then
 * fail, until `heal()` removes the fault. `heal` must finish before it returns.
 */
export interface FaultySinkUnderTest<S extends Sink = Sink> extends SinkUnderTest<S> {
  heal(): void;
}

/**
 * What a sink promises about a batch written again after a failure: `'event_id'`, an event already
 * stored is skipped (so a batch whose acknowledgement was lost may be sent again); `resume`, a write
 * that failed part-way remembers what reached the store and the retry (the same batch, or its
 * halves) stores only the rest, shown with the faulty sink it makes.
 */
export type SinkRedelivery = 'event_id' | { resume: MakeFaultySink };

/** Makes a {@link FaultySinkUnderTest}. */
export type MakeFaultySink = () => FaultySinkUnderTest | Promise<FaultySinkUnderTest>;

/** Options a sink's factory must refuse, and the keys its error must name. */
export interface BadOptionsExample {
  /** Calls the factory, e.g. `(o) => createJsonlSink(o as never)`; a sink it returns anyway is closed. */
  create(options: unknown): unknown;
  /** Options with several invalid or unknown keys. */
  options: unknown;
  /** Dotted keys the error must name, each as an issue path (or in an unknown-key issue of its parent). */
  keys: readonly string[];
}

/**
 * A module that opens the sink from the package's built files: its default export takes `arg` and
 * returns (a promise of) `{ sink, cleanup? }`. Runs in a bare `node` process, outside vitest.
 */
export interface BareProcessFixture {
  /** Absolute path of the module (e.g. `fileURLToPath(new URL('../test-fixtures/contract-sink.mjs', import.meta.url))`). */
  module: string;
  /** A JSON value passed to the default export. */
  arg?: unknown;
}

/**
 * What a sink can show; each flag turns tests on, or `{ unsupported: reason }` skips them, so a
 * new sink (a database, an exporter, a console printer) states what it promises.
 */
export interface SinkCapabilities {
  /** `true`: `stored()` returns the sink's own bytes and the suite compares them with `serializeEnvelope`; otherwise events are compared after re-serializing. */
  bytes: true | Unsupported;
  /** `'write'` (default): stored in the order written; `'any'`: compared as sorted lists. */
  order?: 'write' | 'any';
  /** See {@link SinkRedelivery}. */
  redelivery: SinkRedelivery | Unsupported;
  /** An example of options the factory refuses. */
  badOptions: BadOptionsExample | Unsupported;
  /** `true`: the sink has `health()`, ok while open and not ok once closed. */
  health: true | Unsupported;
  /** How to open the sink in a bare process, to check that `close()` settles on its own. */
  bareProcess: BareProcessFixture | Unsupported;
}

/** The test API, the sink's capabilities and the suite's settings. */
export interface SinkContractOptions extends SinkCapabilities {
  test: SinkContractTestApi;
  /** Timeout of each test (default 30 s; the bare-process test starts Node). */
  timeoutMs?: number;
}
