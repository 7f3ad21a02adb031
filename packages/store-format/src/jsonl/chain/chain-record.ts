import { createHash, createHmac } from 'node:crypto';

/** How the records of a chain are authenticated: a plain SHA-256 chain, or HMAC-SHA256 with a secret key. */
export type ChainAlgorithm = 'sha256' | 'hmac-sha256';

/** The secret (or its absence) that seals a trail; make one with {@link chainKey}. */
export interface ChainKey {
  readonly alg: ChainAlgorithm;
  /** First 16 hex digits of a hash of the key: tells a wrong key from a forged seal. `null` unkeyed. */
  readonly kid: string | null;
  readonly secret: Buffer | null;
}

/** Shortest accepted audit key, in bytes. */
export const MIN_AUDIT_KEY_BYTES = 16;

/**
 * The key that seals a trail: HMAC-SHA256 with `secret` (its UTF-8 bytes, at least 16), or a plain
 * SHA-256 chain without one. Throws `RangeError` for a key that is too short.
 */
export function chainKey(secret?: string | Buffer | null): ChainKey {
  if (secret === undefined || secret === null || secret === '')
    return { alg: 'sha256', kid: null, secret: null };
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_AUDIT_KEY_BYTES) {
    throw new RangeError(`an audit key needs at least ${MIN_AUDIT_KEY_BYTES} bytes, got ${bytes.length}`);
  }
  const kid = createHash('sha256').update('obs-audit-key-id\n').update(bytes).digest('hex').slice(0, 16);
  return { alg: 'hmac-sha256', kid, secret: bytes };
}

/** The first record of a file's chain: where the file starts and which file (and seal) came before it. */
export interface OpenRecord {
  type: 'open';
  file: string;
  n: number;
  at: string;
  /** Where the chain starts in the file: 0, unless the file had lines before it was chained. */
  lines: number;
  bytes: number;
  prev_file: string | null;
  prev: string | null;
}

/**
 * A seal over the lines since the previous record: `lines` and `bytes` are where it ends (counted
 * from the start of the uncompressed file), `sha256` is the hash of the segment's bytes and `crc`
 * the CRC-32 of each of its lines (8 hex digits each), which tells the verifier which line differs.
 * A `close` seal is the file's last record: `next` names the file that follows it (rotation).
 */
export interface SealRecord {
  type: 'seal' | 'close';
  file: string;
  n: number;
  at: string;
  lines: number;
  bytes: number;
  sha256: string;
  crc: string;
  next?: string | null;
  prev: string;
}

/**
 * The record after a `close` whose `next` is `null`, when a writer continues that file (an unrotated
 * trail after a clean restart): `lines` and `bytes` are where the file ended when it was reopened.
 * Anything between the close and that point was appended while no writer had the file, and stays
 * unsealed: `verifyTrail` reports it as appended.
 */
export interface ReopenRecord {
  type: 'reopen';
  file: string;
  n: number;
  at: string;
  lines: number;
  bytes: number;
  prev: string;
}

/** A retention record in `<stem>.prune.chain`: the oldest files removed, and the last seal they ended with. */
export interface PruneRecord {
  type: 'prune';
  stem: string;
  n: number;
  at: string;
  before: string;
  files: string[];
  last_file: string;
  last_mac: string;
  prev: string | null;
}

/** Any record of a chain file. */
export type ChainRecord = OpenRecord | SealRecord | ReopenRecord | PruneRecord;

/** A record with the algorithm and key id it was made with, and its MAC. */
export type SignedRecord = ChainRecord & { v: 1; alg: ChainAlgorithm; kid: string | null; mac: string };

/** The sidecar chain file of a trail file (by its name without `.gz`): `<file>.chain`. */
export function chainFileName(key: string): string {
  return `${key}.chain`;
}

/** The retention ledger of a stem: `<stem>.prune.chain`. */
export function pruneLedgerName(stem: string): string {
  return `${stem}.prune.chain`;
}

function mac(body: string, key: ChainKey): string {
  if (key.secret === null) return createHash('sha256').update(body, 'utf8').digest('hex');
  return createHmac('sha256', key.secret).update(body, 'utf8').digest('hex');
}

/** One chain line (without the newline): the record's JSON with its MAC as the last member. */
export function formatChainRecord(record: ChainRecord, key: ChainKey): { line: string; mac: string } {
  const body = JSON.stringify({ v: 1, ...record, alg: key.alg, kid: key.kid });
  const tag = mac(body, key);
  return { line: `${body.slice(0, -1)},"mac":"${tag}"}`, mac: tag };
}

const MAC_SUFFIX = /,"mac":"([0-9a-f]{64})"\}$/;

/** Why a chain line was refused. */
export type ChainLineProblem = 'syntax' | 'mac' | 'key' | 'unkeyed' | 'needs_key';

/** A parsed chain line, or why it cannot be trusted. */
export type ParsedChainLine =
  | { ok: true; record: SignedRecord }
  | { ok: false; problem: ChainLineProblem; detail: string };

/**
 * Parses and authenticates one chain line with `key`. A keyed verifier refuses unkeyed records
 * (`unkeyed`: someone may have rewritten the chain without the key) and records of another key (`key`).
 */
export function parseChainRecord(line: string, key: ChainKey): ParsedChainLine {
  const match = MAC_SUFFIX.exec(line);
  let record: SignedRecord;
  try {
    if (!match) throw new Error('no mac');
    record = JSON.parse(line) as SignedRecord;
  } catch {
    return { ok: false, problem: 'syntax', detail: `not a chain record: ${line.slice(0, 80)}` };
  }
  if (record.v !== 1 || typeof record.type !== 'string') {
    return {
      ok: false,
      problem: 'syntax',
      detail: `unknown chain record version or type: ${line.slice(0, 80)}`,
    };
  }
  if (record.alg === 'sha256' && key.secret !== null) {
    return {
      ok: false,
      problem: 'unkeyed',
      detail: 'the record is not keyed, but the trail is verified with a key',
    };
  }
  if (record.alg === 'hmac-sha256' && key.secret === null) {
    return {
      ok: false,
      problem: 'needs_key',
      detail: 'the trail is keyed: set OBS_AUDIT_KEY (or pass a key) to verify it',
    };
  }
  if (record.alg === 'hmac-sha256' && record.kid !== key.kid) {
    return {
      ok: false,
      problem: 'key',
      detail: `sealed with another key (key id ${String(record.kid)}, given ${key.kid})`,
    };
  }
  const body = `${line.slice(0, match!.index)}}`;
  if (mac(body, key) !== match![1])
    return { ok: false, problem: 'mac', detail: 'the record does not match its MAC' };
  return { ok: true, record };
}
