export {
  parseTrailFileName,
  sanitizeEventTypeFileName,
  type TrailFileName,
  trailFileName,
} from './file-names.js';
export { compareFiles, type JsonlFile, type ListJsonlFilesOptions, listJsonlFiles } from './list-files.js';
export {
  type JsonlCorruption,
  type JsonlCorruptReason,
  type JsonlCursor,
  type JsonlEntry,
  type JsonlReader,
  type JsonlReadReport,
  type ReadJsonlOptions,
  readJsonl,
  readJsonlEntries,
} from './read-jsonl.js';
