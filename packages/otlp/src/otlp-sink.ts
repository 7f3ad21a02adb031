import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  diag,
  type EventRecord,
  OBS_ERROR_CODES,
  ObsError,
  ObsTransientError,
  type QueueOptions,
  type Sink,
  type SinkHealth,
} from '@obs/core';
import { OTLP_CONTENT_TYPES, type OtlpSignal } from './decode-request.js';
import { encodeOtlpRequest } from './encode-request.js';
import { OTLP_ERROR_CODES, OtlpError } from './errors.js';
import { OtlpPoster, retryAfterMs } from './internal/post-otlp.js';
import { toOtlpRequests } from './internal/to-otlp.js';
import { type ExportItem, ToolCallPairer } from './internal/tool-pairs.js';
import { type OtlpSinkOptions, type OtlpSinkSettings, parseOtlpSinkOptions } from './otlp-sink-options.js';
import { decodeOtlpStatus } from './otlp-status.js';

const gzipAsync = promisify(gzip);

/** HTTP statuses OTLP/HTTP says to retry; any other failure is final. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** The OTLP export sink (see {@link createOtlpSink}). */
export interface OtlpSink extends Sink {
  readonly queueDefaults: QueueOptions;
  health(): SinkHealth;
}

/**
 * A sink that forwards obs events to an OTLP/HTTP endpoint (an OpenTelemetry Collector, Jaeger,
 * Tempo, Langfuse, Phoenix): timed events as spans with GenAI attributes, point events as log
 * records. A forwarding sink, not a store: by default it drops the oldest events when the endpoint
 * falls behind (counted in `stats()`), like the console view. 429, 502, 503 and 504 are retried by
 * the service's queue, after the `Retry-After` the endpoint asked for; other answers are final.
 */
export function createOtlpSink(options: OtlpSinkOptions): OtlpSink {
  return new OtlpExportSink(parseOtlpSinkOptions(options));
}

class OtlpExportSink implements OtlpSink {
  readonly name: string;
  readonly queueDefaults: QueueOptions = {
    batchSize: 512,
    lingerMs: 200,
    capacity: 4_096,
    overflow: 'drop-oldest',
  };
  readonly #settings: OtlpSinkSettings;
  readonly #poster = new OtlpPoster();
  readonly #pairer = new ToolCallPairer();
  readonly #log;
  #closed = false;
  #closing: Promise<void> | undefined;
  #lastError: string | undefined;
  #notBefore = 0;
  #wake: (() => void) | undefined;

  constructor(settings: OtlpSinkSettings) {
    this.#settings = settings;
    this.name = settings.name;
    this.#log = diag(settings.logger, 'otlp');
  }

  async write(batch: readonly EventRecord[]): Promise<void> {
    if (this.#closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, `OTLP sink "${this.name}" is closed`);
    await this.#waitRetryAfter();
    const items = this.#pairer.take(batch.map((r) => r.envelope));
    try {
      await this.#export(items);
    } catch (error) {
      // the queue writes the batch again (or its halves): their calls wait for their results again
      this.#pairer.restore(items);
      throw error;
    }
  }

  /** Exports the tool calls still waiting for their result, each as a span of its own. */
  async flush(): Promise<void> {
    if (this.#pairer.size === 0 || this.#closed) return;
    await this.#waitRetryAfter();
    await this.#export(this.#pairer.drain());
  }

  async #export(items: readonly ExportItem[]): Promise<void> {
    if (items.length === 0) return;
    const requests = toOtlpRequests(items, this.#settings.protocol === 'http/json' ? 'json' : 'protobuf');
    if (requests.traces) await this.#send('traces', requests.traces);
    if (requests.logs) await this.#send('logs', requests.logs);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#pairer.size > 0) {
      try {
        await this.flush();
      } catch (error) {
        this.#log.warn(`tool calls without a result not exported on close: ${(error as Error).message}`);
      }
    }
    this.#closed = true;
    this.#wake?.();
    this.#poster.close();
  }

  health(): SinkHealth {
    if (this.#closed) return { ok: false, detail: 'closed' };
    return this.#lastError === undefined ? { ok: true } : { ok: false, detail: this.#lastError };
  }

  async #send(signal: OtlpSignal, request: object): Promise<void> {
    const { protocol, compression, headers, timeoutMs, maxRetryAfterMs } = this.#settings;
    let body = encodeOtlpRequest(signal, request, protocol === 'http/json' ? 'json' : 'protobuf');
    if (compression === 'gzip') body = await gzipAsync(body);
    const url = new URL(
      `v1/${signal}`,
      this.#settings.url.endsWith('/') ? this.#settings.url : `${this.#settings.url}/`,
    );
    let answer: Awaited<ReturnType<OtlpPoster['post']>>;
    try {
      answer = await this.#poster.post(
        url,
        {
          ...headers,
          'content-type': protocol === 'http/json' ? OTLP_CONTENT_TYPES.json : OTLP_CONTENT_TYPES.protobuf,
          ...(compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
        },
        body,
        timeoutMs,
      );
    } catch (error) {
      this.#lastError = (error as Error).message;
      throw new ObsTransientError(`OTLP export to ${url.href} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (answer.status >= 200 && answer.status < 300) {
      this.#lastError = undefined;
      return;
    }
    const detail = errorDetail(answer.body, answer.contentType);
    this.#lastError = `HTTP ${answer.status} from ${url.href}`;
    if (RETRYABLE.has(answer.status)) {
      this.#notBefore = Date.now() + retryAfterMs(answer.retryAfter, maxRetryAfterMs);
      throw new ObsTransientError(`${this.#lastError}: ${detail}`);
    }
    this.#log.error(`${this.#lastError} refused the export for good: ${detail}`);
    throw new OtlpError(OTLP_ERROR_CODES.EXPORT_REFUSED, `${this.#lastError}: ${detail}`, {
      transient: false,
    });
  }

  /** Waits out the last `Retry-After` (a `close()` ends the wait). */
  async #waitRetryAfter(): Promise<void> {
    const wait = this.#notBefore - Date.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    if (this.#closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, `OTLP sink "${this.name}" is closed`);
  }
}

/** The message of the answer's `google.rpc.Status` (OTLP/HTTP error bodies), else the start of the body as text. */
function errorDetail(body: Buffer, contentType: string): string {
  const type = contentType.toLowerCase();
  const format = type.includes('json') ? 'json' : type.includes('protobuf') ? 'protobuf' : undefined;
  const status = format !== undefined && body.length > 0 ? decodeOtlpStatus(body, format) : undefined;
  if (status !== undefined) return `${status.message.slice(0, 512)} (rpc code ${status.code})`;
  return body.toString('utf8', 0, Math.min(body.length, 512));
}
