export { createJsonlSink, type JsonlSink } from './jsonl-sink.js';
export {
  JSONL_DURABILITIES,
  type JsonlDurability,
  type JsonlSinkOptions,
  JsonlSinkOptionsSchema,
  type JsonlSinkSettings,
} from './options.js';
export { type PruneTrailOptions, type PruneTrailResult, pruneTrail } from './prune-trail.js';
