import { readFileSync } from 'node:fs';
import { type ChainKey, type ParsedChainLine, parseChainRecord, type SignedRecord } from './chain-record.js';

/** A chain file read back: every whole line parsed and authenticated, and whether a torn last line was left out. */
export interface ChainFileContent {
  records: ParsedChainLine[];
  torn: boolean;
}

/** Reads a chain file; `undefined` when it does not exist. */
export function readChainFile(path: string, key: ChainKey): ChainFileContent | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const lines = text.split('\n');
  // the last piece is '' after a final newline, or half a record a crash left
  const torn = lines.pop() !== '';
  return { records: lines.map((line) => parseChainRecord(line, key)), torn };
}

/** The last record of a chain file when it is whole and authentic; `undefined` otherwise or without the file. */
export function lastChainRecord(path: string, key: ChainKey): SignedRecord | undefined {
  const last = readChainFile(path, key)?.records.at(-1);
  return last?.ok ? last.record : undefined;
}
