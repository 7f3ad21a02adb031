import type { AddressInfo } from 'node:net';
import type { DiagLogger } from '@obs/core';
import { createStreamServer, type StreamServer } from '@obs/sink-stream';
import { createBackups } from './backups.js';
import type { CollectorConfig } from './config.js';
import { type CollectorServer, createCollectorServer } from './http/collector-server.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import { createRetention, type Retention } from './retention.js';

/** A running collector: its pipeline, address, and a graceful `close`. */
export interface Collector {
  readonly pipeline: Pipeline;
  readonly http: CollectorServer;
  readonly stream: StreamServer | undefined;
  /** The retention schedule when `OBS_RETENTION` is set. */
  readonly retention: Retention | undefined;
  /** `http://host:port` */
  readonly url: string;
  /** Stops accepting, finishes requests in flight, flushes and closes every sink. Idempotent. */
  close(): Promise<void>;
}

/** Starts the collector described by `config` (see `loadCollectorConfig`). */
export async function startCollector(config: CollectorConfig, logger?: DiagLogger): Promise<Collector> {
  const pipeline = createPipeline(config, logger);
  const backups =
    config.backup && config.stores.sqlite ? createBackups(config, pipeline.obs, logger) : undefined;
  const http = createCollectorServer({
    obs: pipeline.obs,
    liveStats: pipeline.liveStats,
    token: config.http.token,
    maxBodyBytes: config.http.maxBodyBytes,
    maxEventsPerRequest: config.http.maxEventsPerRequest,
    backups,
  });
  const stream = pipeline.bus
    ? createStreamServer({
        bus: pipeline.bus,
        server: http.server,
        path: '/v1/stream',
        ...(config.http.token ? { token: config.http.token } : {}),
      })
    : undefined;
  let address: AddressInfo;
  try {
    address = await http.listen(config.http.port, config.http.host);
  } catch (error) {
    await stream?.close();
    await pipeline.obs.shutdown();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const retention = createRetention(config, logger);
  return {
    pipeline,
    http,
    stream,
    retention,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => {
      closing ??= (async () => {
        await retention?.stop();
        await backups?.stop();
        await stream?.close();
        await http.close();
        await pipeline.obs.shutdown();
      })();
      return closing;
    },
  };
}
