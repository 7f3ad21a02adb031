import {
  createObservability,
  type DiagLogger,
  type Observability,
  type QueueOptions,
  type Sink,
  type SinkBinding,
} from '@obs/core';
import { createConsoleSink } from '@obs/sink-console';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createPostgresSink } from '@obs/sink-postgres';
import { createSqliteSink } from '@obs/sink-sqlite';
import { createStreamSink, type EventBus } from '@obs/sink-stream';
import type { CollectorConfig } from './config.js';
import { createLiveStatsSink, type LiveStatsSink } from './live-stats.js';

/** The composed service and the parts the servers around it need. */
export interface Pipeline {
  obs: Observability;
  liveStats: LiveStatsSink;
  /** The bus the live stream server subscribes to, when the stream is on. */
  bus: EventBus | undefined;
}

/**
 * The SQLite writer thread's queue under many concurrent requests: a lane takes what is queued, up to
 * 1 024 events (several requests' worth), and two batches are in flight, so the thread commits fewer,
 * larger transactions (less CPU per event in the thread and in the hand-off) while one batch is sent
 * as the other commits.
 */
const SQLITE_WORKER_QUEUE: QueueOptions = { batchSize: 1_024, concurrency: 2 };

/**
 * Composes the sinks a deployment's mode asks for (the pattern to copy into an app's bootstrap):
 * SQLite for `db_only`/`dual`, JSONL for `file_only`/`dual`, PostgreSQL with `OBS_POSTGRES_URL`, the live stream when enabled, the
 * console trace on stderr with `OBS_TRACE`, and the collector's own live counters. Durable sinks use the `block` policy sized so that one request's
 * batch always fits, so the collector never drops what it accepted.
 */
export function createPipeline(config: CollectorConfig, logger?: DiagLogger): Pipeline {
  const liveStats = createLiveStatsSink();
  const durable: QueueOptions = {
    capacity: Math.max(config.queue.capacity, 2 * config.http.maxEventsPerRequest),
    overflow: 'block',
  };
  const sinks: (Sink | SinkBinding)[] = [
    { sink: liveStats, queue: { capacity: durable.capacity, overflow: 'drop-oldest', lingerMs: 0 } },
  ];
  if (config.stores.sqlite)
    sinks.push({
      sink: createSqliteSink({
        path: config.sqlitePath,
        worker: config.sqliteWorker,
        ...(logger ? { logger } : {}),
      }),
      queue: config.sqliteWorker ? { ...durable, ...SQLITE_WORKER_QUEUE } : durable,
    });
  if (config.stores.jsonl) {
    const jsonl = createJsonlSink({
      dir: config.jsonlDir,
      durability: config.jsonlDurability,
      // with retention, a file a day (gzipped once done): prune removes whole files
      ...(config.retention ? { rotation: { intervalMs: 86_400_000, gzip: true } } : {}),
      ...(logger ? { logger } : {}),
    });
    sinks.push({ sink: jsonl, queue: durable });
  }
  if (config.postgres) {
    const { url, schema, ssl, connections } = config.postgres;
    const postgres = createPostgresSink({ url, schema, ssl, connections, ...(logger ? { logger } : {}) });
    sinks.push({ sink: postgres, queue: { ...durable, capacity: Math.max(durable.capacity!, 8_192) } });
  }
  let bus: EventBus | undefined;
  if (config.stream.enabled) {
    const stream = createStreamSink();
    bus = stream.bus;
    sinks.push(stream);
  }
  // events from many agents interleave, so each trace line starts with its run id
  if (config.trace) sinks.push(createConsoleSink({ showRun: true, ...(logger ? { logger } : {}) }));
  const obs = createObservability({
    source: config.source,
    sinks,
    queue: config.queue,
    redaction: { maxPayloadBytes: config.maxPayloadBytes, redactKeys: config.redactKeys },
    ...(logger ? { logger } : {}),
  });
  return { obs, liveStats, bus };
}
