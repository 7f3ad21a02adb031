import {
  type ComponentLogger,
  diag,
  type Envelope,
  type EventRecord,
  OBS_ERROR_CODES,
  ObsError,
  type QueueOptions,
  type Sink,
  type SinkHealth,
} from '@obs/core';
import { type ChainKey, chainKey, sanitizeEventTypeFileName } from '@obs/store-format';
import { gzipFile, recoverRotated } from './compress.js';
import { writeFileIndex } from './file-index.js';
import {
  type JsonlDurability,
  type JsonlSinkOptions,
  type JsonlSinkSettings,
  parseJsonlSinkOptions,
} from './options.js';
import { TrailChain } from './trail-chain.js';
import { type AppendProgress, type FileIndex, TrailFile } from './trail-file.js';

/** The JSONL sink: a {@link Sink} plus what it recommends and where it writes. */
export interface JsonlSink extends Sink {
  readonly dir: string;
  readonly durability: JsonlDurability;
  /**
   * Queue settings this sink is meant to run with: `{ lingerMs: 0 }` in `flush` durability, so an
   * event is written on the next turn of the event loop instead of after a linger. The service
   * applies them unless the binding's own `queue` overrides them.
   */
  readonly queueDefaults: QueueOptions;
  /** Paths of the files currently open for writing. */
  files(): string[];
  /** `hmac-sha256` (a key was given, or `OBS_AUDIT_KEY` set), `sha256` (unkeyed chain) or `off`. */
  readonly sealing: 'hmac-sha256' | 'sha256' | 'off';
  /** Not ok after a failed write (with the error) until a write succeeds, and once closed. */
  health(): SinkHealth;
}

type Group = { file: TrailFile; records: readonly EventRecord[] };

/**
 * `flush` writes on the next turn of the loop; `fsync` takes batches sixteen times the service's, so
 * one `fdatasync` covers up to 4 096 lines (a group commit: each line is still on the device before
 * its batch counts as written).
 */
const QUEUE_DEFAULTS_BY_DURABILITY: Record<JsonlDurability, QueueOptions> = {
  batch: {},
  flush: { lingerMs: 0 },
  fsync: { batchSize: 4096, capacity: 16384 },
};

/**
 * Creates the append-only JSONL audit trail sink: each event's canonical JSON line, `\n`-terminated,
 * in one file or one file per event type, rotated by size and age, optionally gzipped.
 */
export function createJsonlSink(options: JsonlSinkOptions): JsonlSink {
  return new JsonlTrailSink(parseJsonlSinkOptions(options));
}

class JsonlTrailSink implements JsonlSink {
  readonly name: string;
  readonly dir: string;
  readonly durability: JsonlDurability;
  readonly queueDefaults: QueueOptions;
  readonly #settings: JsonlSinkSettings;
  readonly #log: ComponentLogger;
  readonly #clock: () => number;
  readonly #files = new Map<string, TrailFile>();
  readonly #byType = new Map<string, TrailFile>();
  readonly #compressions = new Set<Promise<void>>();
  /**
   * Records of failed writes that reached a file: the service's retry of them, the same batch or,
   * once it bisects, a half of it, skips them. Forgotten once a write with them succeeds.
   */
  readonly #inFile = new WeakSet<EventRecord>();
  #inFileCount = 0;
  #lastError: string | null = null;
  #closed = false;
  readonly #chainKey: ChainKey | undefined;
  readonly #sealTimer: NodeJS.Timeout | undefined;

  constructor(settings: JsonlSinkSettings) {
    this.#settings = settings;
    this.name = settings.name;
    this.dir = settings.dir;
    this.durability = settings.durability;
    this.queueDefaults = QUEUE_DEFAULTS_BY_DURABILITY[settings.durability];
    this.#log = diag(settings.logger, `sink-jsonl:${settings.name}`);
    this.#clock = settings.clock ?? Date.now;
    const { chain } = settings;
    if (chain !== false) {
      this.#chainKey = chainKey(chain.key ?? process.env['OBS_AUDIT_KEY']);
      // seals lines that wait for one when writes pause; never keeps the process alive
      this.#sealTimer = setInterval(() => this.#sealAll(), chain.everyMs).unref();
    }
  }

  /** Whether seals are HMACs (a key was given or `OBS_AUDIT_KEY` set) or a plain SHA-256 chain; `off` without a chain. */
  get sealing(): 'hmac-sha256' | 'sha256' | 'off' {
    return this.#chainKey?.alg ?? 'off';
  }

  write(batch: readonly EventRecord[]): void {
    this.#assertOpen();
    const records = this.#inFileCount === 0 ? batch : batch.filter((r) => !this.#inFile.has(r));
    const groups = this.#group(records);
    // one write(2) per file per batch from this thread: the bytes are in the OS when write() returns
    // (and on the device in `fsync` durability), and the batch is garbage at once
    this.#writeSync(batch, groups);
  }

  /** Caller-runs (the service calls it when the queue is full): the batch is in the file when this returns. */
  writeSync(batch: readonly EventRecord[]): void {
    this.write(batch);
  }

  /** Seals every line written so far: after `obs.flush()` the whole trail is covered by seals. */
  flush(): void {
    if (!this.#closed) this.#sealAll();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sealTimer);
    await Promise.all(this.#compressions);
    const closed: Promise<void>[] = [];
    for (const file of this.#files.values()) {
      const last = file.close();
      // a rotated trail's last file is never appended to again: it is finished too
      if (last !== undefined) closed.push(writeFileIndex(last.path, last.index, false).catch(() => {}));
    }
    await Promise.all(closed);
  }

  #sealAll(): void {
    for (const file of this.#files.values()) file.seal();
  }

  health(): SinkHealth {
    if (this.#closed) return { ok: false, detail: 'closed' };
    return this.#lastError === null ? { ok: true } : { ok: false, detail: this.#lastError };
  }

  files(): string[] {
    return [...this.#files.values()].map((f) => f.path).filter((p) => p !== '');
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new ObsError(
        OBS_ERROR_CODES.CLOSED,
        `JSONL sink "${this.name}" is closed: write() after close() is refused`,
      );
  }

  #writeSync(batch: readonly EventRecord[], groups: Group[]): void {
    for (let g = 0; g < groups.length; g++) {
      const { file, records } = groups[g]!;
      const progress: AppendProgress = { lines: 0 };
      try {
        file.appendSync(lines(records), envelopes(records), progress);
      } catch (error) {
        throw this.#failed(groups, g, progress, error);
      }
    }
    this.#written(batch);
  }

  #written(batch: readonly EventRecord[]): void {
    this.#lastError = null;
    if (this.#inFileCount === 0) return;
    for (const r of batch) if (this.#inFile.delete(r)) this.#inFileCount--;
  }

  /** Remembers which records are already in a file so the service's retry of them skips them. */
  #failed(groups: Group[], failedGroup: number, progress: AppendProgress, error: unknown): ObsError {
    const remember = (r: EventRecord) => {
      if (this.#inFile.has(r)) return;
      this.#inFile.add(r);
      this.#inFileCount++;
    };
    for (let g = 0; g < failedGroup; g++) for (const r of groups[g]!.records) remember(r);
    const partial = groups[failedGroup]!.records;
    for (let i = 0; i < progress.lines; i++) remember(partial[i]!);
    const wrapped =
      error instanceof ObsError
        ? error
        : new ObsError(OBS_ERROR_CODES.SINK, `JSONL sink "${this.name}": ${(error as Error).message}`, {
            cause: error,
          });
    this.#lastError = wrapped.message;
    return wrapped;
  }

  #group(records: readonly EventRecord[]): Group[] {
    if (this.#settings.routeBy === 'none') {
      return records.length === 0 ? [] : [{ file: this.#file(this.#settings.fileName), records }];
    }
    const groups = new Map<TrailFile, EventRecord[]>();
    for (const record of records) {
      const type = record.envelope.event_type;
      let file = this.#byType.get(type);
      if (file === undefined) {
        file = this.#file(sanitizeEventTypeFileName(type));
        this.#byType.set(type, file);
      }
      const group = groups.get(file);
      if (group) group.push(record);
      else groups.set(file, [record]);
    }
    return [...groups].map(([file, grouped]) => ({ file, records: grouped }));
  }

  #file(stem: string): TrailFile {
    let file = this.#files.get(stem);
    if (file === undefined) {
      file = new TrailFile({
        dir: this.dir,
        stem,
        settings: this.#settings,
        clock: this.#clock,
        onRotated: (path, index) => this.#rotated(path, index),
        onTornTail: (path) => this.#log.warn(`"${path}" ended in a torn line; appending after a newline`),
        ...(this.#chainKey === undefined ? {} : { chain: this.#chain(stem, this.#chainKey) }),
      });
      this.#files.set(stem, file);
      if (this.#settings.rotation !== undefined) this.#recover(stem);
    }
    return file;
  }

  #chain(stem: string, key: ChainKey): TrailChain {
    const settings = this.#settings.chain as Exclude<JsonlSinkSettings['chain'], false>;
    return new TrailChain({
      dir: this.dir,
      stem,
      key,
      everyLines: settings.everyLines,
      everyMs: settings.everyMs,
      fileMode: this.#settings.fileMode,
      fsync: this.durability === 'fsync',
      clock: this.#clock,
      onError: (error) =>
        this.#log.warn(`writing a seal for "${stem}" failed (the next seal covers it): ${error.message}`),
    });
  }

  #recover(stem: string): void {
    let pending: string[];
    try {
      pending = recoverRotated(this.dir, stem);
    } catch (error) {
      this.#log.warn(`cleaning up after an interrupted compression failed: ${(error as Error).message}`);
      return;
    }
    for (const path of pending) this.#compress(path);
  }

  #compress(path: string): void {
    if (this.#settings.rotation?.gzip) this.#track(gzipFile(path, this.durability === 'fsync'), path);
  }

  /** A finished file: compressed when asked, then its sidecar index written (of the `.gz` when compressed). */
  #rotated(path: string, index: FileIndex | undefined): void {
    if (!this.#settings.rotation?.gzip) {
      if (index !== undefined) this.#track(writeFileIndex(path, index, false), path, 'indexing');
      return;
    }
    const gzipped = gzipFile(path, this.durability === 'fsync');
    this.#track(
      index === undefined ? gzipped : gzipped.then(() => writeFileIndex(`${path}.gz`, index, true)),
      path,
    );
  }

  #track(work: Promise<void>, what: string, doing = 'compressing'): void {
    const tracked: Promise<void> = work
      .catch((error: Error) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        this.#log.warn(`${doing} "${what}" failed: ${error.message}`);
      })
      .finally(() => this.#compressions.delete(tracked));
    this.#compressions.add(tracked);
  }
}

function envelopes(records: readonly EventRecord[]): Envelope[] {
  const out = new Array<Envelope>(records.length);
  for (let i = 0; i < records.length; i++) out[i] = records[i]!.envelope;
  return out;
}

function lines(records: readonly EventRecord[]): string[] {
  const out = new Array<string>(records.length);
  for (let i = 0; i < records.length; i++) out[i] = records[i]!.json;
  return out;
}
