import {
  type ComponentLogger,
  diag,
  type EventRecord,
  OBS_ERROR_CODES,
  ObsError,
  type QueueOptions,
  type Sink,
  type SinkHealth,
} from '@obs/core';
import { type Colors, colorEnabled, colors } from './internal/colors.js';
import { describeEvent } from './internal/describe-event.js';
import { renderLine } from './internal/render-line.js';
import { TraceTree } from './internal/trace-tree.js';
import {
  type ConsoleSinkOptions,
  type ConsoleSinkSettings,
  type ConsoleStream,
  parseConsoleSinkOptions,
} from './options.js';

/** Line width where the stream is not a terminal (a pipe, a file, CI logs). */
export const DEFAULT_WIDTH = 120;

/** The console sink: a {@link Sink} plus how it draws. */
export interface ConsoleSink extends Sink {
  /**
   * `{ lingerMs: 16, overflow: 'drop-oldest', capacity: 2000 }`: a live view shows the latest events
   * within a frame and skips ahead when it cannot keep up, rather than hold the app back. A binding's
   * own `queue` overrides them.
   */
  readonly queueDefaults: QueueOptions;
  /** Whether lines carry ANSI colours (decided once, when the sink is made). */
  readonly color: boolean;
  /** Columns the next line may use: `width`, else the terminal's columns, else {@link DEFAULT_WIDTH}. */
  width(): number;
  /** Not ok once the stream failed (the trace is then discarded) and once closed. */
  health(): SinkHealth;
}

/**
 * Creates the console trace sink: one line per event on `stream` (default `process.stderr`),
 * `[layer] operation: input → output (duration)`, indented under its parent with `└─`.
 */
export function createConsoleSink(options: ConsoleSinkOptions = {}): ConsoleSink {
  return new ConsoleTraceSink(parseConsoleSinkOptions(options));
}

class ConsoleTraceSink implements ConsoleSink {
  readonly name: string;
  readonly queueDefaults: QueueOptions = { lingerMs: 16, overflow: 'drop-oldest', capacity: 2_000 };
  readonly color: boolean;
  readonly #settings: ConsoleSinkSettings;
  readonly #stream: ConsoleStream;
  readonly #colors: Colors;
  readonly #log: ComponentLogger;
  readonly #tree: TraceTree;
  readonly #onStreamError = (error: Error) => this.#failed(error);
  /** Lines of the pass in progress, written at once at its end. */
  #lines: string[] = [];
  #passWidth = DEFAULT_WIDTH;
  #timer: NodeJS.Timeout | undefined;
  #drain: { promise: Promise<void>; done: () => void } | undefined;
  #streamError: string | undefined;
  #closed = false;

  constructor(settings: ConsoleSinkSettings) {
    this.#settings = settings;
    this.name = settings.name;
    this.#stream = settings.stream ?? process.stderr;
    this.color =
      settings.color === 'auto' ? colorEnabled(this.#stream, settings.env ?? process.env) : settings.color;
    this.#colors = colors(this.color);
    this.#log = diag(settings.logger, `sink-console:${settings.name}`);
    this.#tree = new TraceTree(settings, (record, depth) => this.#format(record, depth));
    // a reader that went away (`app 2>&1 | head`) must end the trace, not crash the app
    this.#stream.on?.('error', this.#onStreamError);
  }

  write(batch: readonly EventRecord[]): Promise<void> | void {
    if (this.#closed)
      throw new ObsError(
        OBS_ERROR_CODES.CLOSED,
        `console sink "${this.name}" is closed: write() after close() is refused`,
      );
    if (this.#streamError !== undefined) return;
    this.#begin();
    const now = performance.now();
    for (const record of batch) this.#tree.add(record, now);
    if (this.#settings.holdMs === 0) this.#tree.releaseAll();
    const next = this.#tree.expire(now);
    const written = this.#end();
    this.#schedule(next, now);
    return written;
  }

  flush(): Promise<void> | void {
    if (this.#closed || this.#streamError !== undefined) return;
    this.#begin();
    this.#tree.releaseAll();
    return this.#end();
  }

  close(): void {
    if (this.#closed) return;
    if (this.#streamError === undefined) {
      this.#begin();
      this.#tree.releaseAll();
      this.#end();
    }
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stream.removeListener?.('error', this.#onStreamError);
    this.#drain?.done();
  }

  health(): SinkHealth {
    if (this.#closed) return { ok: false, detail: 'closed' };
    if (this.#streamError !== undefined)
      return { ok: false, detail: `stream failed (${this.#streamError}); trace lines are discarded` };
    return { ok: true };
  }

  width(): number {
    if (this.#settings.width !== undefined) return this.#settings.width;
    const columns = this.#stream.columns;
    return this.#stream.isTTY && typeof columns === 'number' && columns >= 20 ? columns : DEFAULT_WIDTH;
  }

  #begin(): void {
    this.#passWidth = this.width();
  }

  #format(record: EventRecord, depth: number): void {
    const envelope = record.envelope;
    const parts = describeEvent(envelope, this.#passWidth);
    this.#lines.push(
      renderLine(parts, {
        depth,
        width: this.#passWidth,
        colors: this.#colors,
        lead: this.#settings.showRun ? envelope.run_id : undefined,
      }),
    );
  }

  /** Writes the pass's lines in one `write`; while the stream asks to wait, returns when it drained. */
  #end(): Promise<void> | void {
    if (this.#lines.length > 0) {
      const text = `${this.#lines.join('\n')}\n`;
      this.#lines = [];
      let ok: boolean;
      try {
        ok = this.#stream.write(text);
      } catch (error) {
        this.#failed(error as Error);
        return;
      }
      if (!ok && this.#drain === undefined && this.#stream.once !== undefined) this.#waitForDrain();
    }
    return this.#drain?.promise;
  }

  #waitForDrain(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    const done = () => {
      this.#stream.removeListener?.('drain', done);
      this.#stream.removeListener?.('close', done);
      if (this.#drain?.promise === promise) this.#drain = undefined;
      resolve();
    };
    this.#drain = { promise, done };
    this.#stream.once?.('drain', done);
    this.#stream.once?.('close', done);
  }

  /** Arms the timer that shows the events whose parent did not arrive within `holdMs`. */
  #schedule(next: number | undefined, now: number): void {
    if (next === undefined || this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(1, Math.ceil(next - now)));
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#closed || this.#streamError !== undefined) return;
    const now = performance.now();
    this.#begin();
    const next = this.#tree.expire(now);
    void this.#end();
    this.#schedule(next, now);
  }

  #failed(error: Error): void {
    if (this.#streamError !== undefined) return;
    this.#streamError = error.message;
    this.#log.warn(`the stream failed, the trace stops: ${error.message}`);
    this.#tree.releaseAll();
    this.#lines = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#drain?.done();
  }
}
