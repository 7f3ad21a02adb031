// The hash chain's writing side alone, with no import beyond Node's: what a sink's chain thread loads.
export {
  type ChainKey,
  type ChainRecord,
  chainFileName,
  formatChainRecord,
  type SignedRecord,
} from './jsonl/chain/chain-record.js';
export { lastChainRecord } from './jsonl/chain/read-chain.js';
export { SegmentDigest, type SegmentSummary } from './jsonl/chain/segment-digest.js';
export { parseTrailFileName, type TrailFileName } from './jsonl/file-names.js';
