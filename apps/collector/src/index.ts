export { type CollectorBackups, createBackups } from './backups.js';
export { type Collector, startCollector } from './collector.js';
export { type CollectorConfig, loadCollectorConfig } from './config.js';
export {
  type BackupTrigger,
  type CollectorServer,
  type CollectorServerOptions,
  createCollectorServer,
} from './http/collector-server.js';
export { type ErrorBody, type ErrorIssue, HttpError } from './http/http-error.js';
export {
  createLiveStatsSink,
  type LiveStatsSink,
  type LiveStatsSinkOptions,
  LiveStatsSinkOptionsSchema,
  type LiveStatsSnapshot,
} from './live-stats.js';
export { createPipeline, type Pipeline } from './pipeline.js';
