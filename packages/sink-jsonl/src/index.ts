export {
  compareFiles,
  type JsonlCorruption,
  type JsonlCorruptReason,
  type JsonlCursor,
  type JsonlEntry,
  type JsonlFile,
  type JsonlReader,
  type JsonlReadReport,
  type ListJsonlFilesOptions,
  listJsonlFiles,
  type ReadJsonlOptions,
  readJsonl,
  readJsonlEntries,
  sanitizeEventTypeFileName,
} from '@obs/core/jsonl';
export { createJsonlSink, type JsonlSink } from './jsonl-sink.js';
export {
  JSONL_DURABILITIES,
  type JsonlDurability,
  type JsonlSinkOptions,
  JsonlSinkOptionsSchema,
  type JsonlSinkSettings,
} from './options.js';
