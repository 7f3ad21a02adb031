import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseTrailFileName } from '../file-names.js';
import {
  type ChainKey,
  chainFileName,
  chainKey,
  type OpenRecord,
  type PruneRecord,
  pruneLedgerName,
  type ReopenRecord,
  type SealRecord,
  type SignedRecord,
} from './chain-record.js';
import { dataChunks, readLines } from './data-stream.js';
import { locateDifference } from './locate-line.js';
import { readChainFile } from './read-chain.js';

/**
 * What `verifyTrail` can find wrong (errors) or worth knowing (warnings: `unsealed`, `torn`,
 * `unchained_prefix`, `pruned_leftover`).
 */
export type TrailProblemKind =
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'appended'
  | 'removed'
  | 'replaced'
  | 'unchained'
  | 'chain'
  | 'unsealed'
  | 'torn'
  | 'unchained_prefix'
  | 'pruned_leftover'
  | 'io';

/** One finding, at a file and (when it is about a line) a 1-based line of the uncompressed file. */
export interface TrailProblem {
  kind: TrailProblemKind;
  file: string;
  line: number | null;
  detail: string;
}

/** What `verifyTrail` found. */
export interface TrailVerification {
  /** No errors (warnings allowed). */
  ok: boolean;
  files: number;
  /** Lines covered by seals. */
  sealedLines: number;
  /** Uncompressed bytes read. */
  bytes: number;
  seals: number;
  /** Errors, first bad place first (stems in name order, files oldest first). */
  problems: TrailProblem[];
  warnings: TrailProblem[];
  /** Per stem, the MAC of the newest record: keep it elsewhere to detect a rewrite of the newest files too. */
  heads: Record<string, string>;
  alg: 'sha256' | 'hmac-sha256';
}

/** Options of {@link verifyTrail}. */
export interface VerifyTrailOptions {
  /** The audit key the trail was sealed with (`OBS_AUDIT_KEY`); without one, only an unkeyed trail verifies. */
  key?: string | Buffer | ChainKey;
  /** Called with the uncompressed bytes read so far. */
  onProgress?: (bytes: number) => void;
}

interface Entry {
  key: string;
  stem: string;
  order: string;
  data?: { path: string; gzip: boolean };
  chain: boolean;
}

type Link = { file: string | null; mac: string | null; next?: string | null; pruned?: Set<string> };

/**
 * Verifies the hash chain of a trail directory (or of the directory of the file given): every file's
 * lines against its seals, each chain record against its MAC and predecessor, each file against the
 * one before it, and the prune ledger. Names the first bad place; never throws for what it finds.
 */
export async function verifyTrail(
  pathOrDir: string,
  options: VerifyTrailOptions = {},
): Promise<TrailVerification> {
  const key = isChainKey(options.key) ? options.key : chainKey(options.key);
  const dir = (await stat(pathOrDir)).isDirectory() ? pathOrDir : dirname(pathOrDir);
  const result: TrailVerification = {
    ok: true,
    files: 0,
    sealedLines: 0,
    bytes: 0,
    seals: 0,
    problems: [],
    warnings: [],
    heads: {},
    alg: key.alg,
  };
  const ctx: Context = { dir, key, result, onProgress: options.onProgress, read: 0 };
  for (const [stem, entries] of await entriesByStem(dir)) {
    let link = await verifyLedger(ctx, stem);
    const pruned = link.pruned ?? new Set<string>();
    const live = entries.filter((entry) => {
      if (!pruned.has(entry.key)) return true;
      problem(
        ctx,
        'pruned_leftover',
        entry.key,
        null,
        'pruned, but still here (an interrupted prune: run it again)',
      );
      return false;
    });
    for (let i = 0; i < live.length; i++) {
      link = await verifyEntry(ctx, live[i]!, link, i === live.length - 1);
    }
    if (link.next !== undefined && link.next !== null) {
      problem(
        ctx,
        'removed',
        link.next,
        null,
        `the chain of ${link.file} names ${link.next} next, but it is missing`,
      );
    }
    if (link.mac !== null) result.heads[stem] = link.mac;
  }
  result.ok = result.problems.length === 0;
  return result;
}

interface Context {
  dir: string;
  key: ChainKey;
  result: TrailVerification;
  onProgress: ((bytes: number) => void) | undefined;
  read: number;
}

async function entriesByStem(dir: string): Promise<Map<string, Entry[]>> {
  const byKey = new Map<string, Entry>();
  for (const item of await readdir(dir, { withFileTypes: true })) {
    if (!item.isFile()) continue;
    const isChain = item.name.endsWith('.jsonl.chain');
    const parsed = parseTrailFileName(isChain ? item.name.slice(0, -'.chain'.length) : item.name);
    if (!parsed) continue;
    const entry = byKey.get(parsed.key) ?? {
      key: parsed.key,
      stem: parsed.stem,
      order: parsed.order,
      chain: false,
    };
    if (isChain) entry.chain = true;
    else if (!entry.data?.gzip) entry.data = { path: join(dir, item.name), gzip: parsed.gzip };
    byKey.set(parsed.key, entry);
  }
  const byStem = new Map<string, Entry[]>();
  for (const entry of [...byKey.values()].sort(byStemThenAge)) {
    const list = byStem.get(entry.stem) ?? [];
    list.push(entry);
    byStem.set(entry.stem, list);
  }
  return byStem;
}

const WARNINGS = new Set<TrailProblemKind>(['unsealed', 'torn', 'unchained_prefix', 'pruned_leftover']);

function problem(
  ctx: Context,
  kind: TrailProblemKind,
  file: string,
  line: number | null,
  detail: string,
): void {
  const warning = WARNINGS.has(kind);
  (warning ? ctx.result.warnings : ctx.result.problems).push({ kind, file, line, detail });
}

/** The prune ledger's records, checked; the link the stem's oldest remaining file must follow. */
async function verifyLedger(ctx: Context, stem: string): Promise<Link> {
  const name = pruneLedgerName(stem);
  const content = readChainFile(join(ctx.dir, name), ctx.key);
  if (content === undefined) return { file: null, mac: null };
  let prev: string | null = null;
  let last: PruneRecord | undefined;
  for (const [i, parsed] of content.records.entries()) {
    if (!parsed.ok) {
      problem(ctx, 'chain', name, i + 1, parsed.detail);
      break;
    }
    const record = parsed.record as SignedRecord & PruneRecord;
    if (record.type !== 'prune' || record.prev !== prev || record.n !== i) {
      problem(ctx, 'chain', name, i + 1, 'the prune record does not follow the one before it');
      break;
    }
    prev = record.mac;
    last = record;
  }
  if (content.torn)
    problem(
      ctx,
      'torn',
      name,
      content.records.length + 1,
      'half a record at the end (a crash while pruning)',
    );
  const pruned = new Set(
    content.records.flatMap((r) => (r.ok ? ((r.record as PruneRecord).files ?? []) : [])),
  );
  return last === undefined
    ? { file: null, mac: null }
    : { file: last.last_file, mac: last.last_mac, pruned };
}

async function verifyEntry(ctx: Context, entry: Entry, link: Link, newest: boolean): Promise<Link> {
  const chainName = chainFileName(entry.key);
  if (link.next !== undefined && link.next !== null && link.next !== entry.key) {
    problem(
      ctx,
      'removed',
      link.next,
      null,
      `the file ${link.file}'s chain names ${link.next} next, but it is missing`,
    );
  }
  if (entry.data === undefined) {
    problem(ctx, 'removed', entry.key, null, `the file is missing (its chain ${chainName} is still there)`);
  }
  if (!entry.chain) {
    problem(ctx, 'unchained', entry.key, null, `no chain (${chainName}): the file is not sealed`);
    return { file: entry.key, mac: null };
  }
  ctx.result.files++;
  const content = readChainFile(join(ctx.dir, chainName), ctx.key);
  const records: SignedRecord[] = [];
  for (const [i, parsed] of (content?.records ?? []).entries()) {
    if (!parsed.ok) {
      problem(ctx, 'chain', chainName, i + 1, parsed.detail);
      break;
    }
    const r = parsed.record;
    const before = records.at(-1);
    const wrong =
      r.n !== i ||
      (i === 0 ? r.type !== 'open' : r.type !== 'seal' && r.type !== 'close' && r.type !== 'reopen') ||
      (i > 0 && r.prev !== before!.mac) ||
      // only a file its writer closed (no `next`) is continued, and only after a `reopen`
      (before?.type === 'close') !== (r.type === 'reopen') ||
      (r.type === 'reopen' &&
        ((before as SealRecord).next !== null || r.bytes < (before as SealRecord).bytes)) ||
      (r as { file?: string }).file !== entry.key;
    if (wrong) {
      problem(
        ctx,
        'chain',
        chainName,
        i + 1,
        'the record does not follow the one before it (a chain rewritten or records moved)',
      );
      break;
    }
    records.push(r);
  }
  if (content?.torn)
    problem(ctx, 'torn', chainName, records.length + 1, 'half a chain record at the end (a crash mid-seal)');
  const open = records[0] as (SignedRecord & OpenRecord) | undefined;
  if (open === undefined) return { file: entry.key, mac: null };
  if (open.prev_file !== link.file || open.prev !== link.mac) {
    if (link.file === null && link.mac === null && open.prev_file !== null) {
      problem(
        ctx,
        'removed',
        open.prev_file,
        null,
        `the file before ${entry.key} is missing (its chain names ${open.prev_file})`,
      );
    } else if (open.prev_file !== link.file) {
      problem(
        ctx,
        'removed',
        open.prev_file ?? link.file!,
        null,
        `${entry.key} follows ${String(open.prev_file)}, expected ${link.file}`,
      );
    } else {
      problem(
        ctx,
        'replaced',
        link.file ?? entry.key,
        null,
        `${entry.key} does not follow the last seal of ${link.file}: that file or its chain was replaced`,
      );
    }
  }
  if (open.bytes > 0) {
    problem(
      ctx,
      'unchained_prefix',
      entry.key,
      1,
      `lines 1–${open.lines} were written before the file was chained`,
    );
  }
  const seals = records.slice(1) as (SignedRecord & (SealRecord | ReopenRecord))[];
  ctx.result.seals += seals.filter((r) => r.type !== 'reopen').length;
  if (entry.data !== undefined) await verifyData(ctx, entry, open, seals, newest);
  const last = records.at(-1)!;
  return {
    file: entry.key,
    mac: last.mac,
    ...(last.type === 'close' ? { next: (last as SealRecord).next ?? null } : {}),
  };
}

/** Hashes the file's bytes segment by segment against its seals; locates the first bad line. */
async function verifyData(
  ctx: Context,
  entry: Entry,
  open: OpenRecord,
  seals: readonly (SealRecord | ReopenRecord)[],
  newest: boolean,
): Promise<void> {
  const { path, gzip } = entry.data!;
  let pos = open.bytes;
  let s = 0;
  let hash = createHash('sha256');
  let tailBytes = 0;
  let tailLines = 0;
  const segmentStart = () => (s === 0 ? { bytes: open.bytes, lines: open.lines } : seals[s - 1]!);
  try {
    for await (let chunk of dataChunks(path, gzip, open.bytes)) {
      ctx.result.bytes += chunk.length;
      ctx.read += chunk.length;
      ctx.onProgress?.(ctx.read);
      while (chunk.length > 0) {
        const seal = seals[s];
        if (seal === undefined) {
          tailBytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) tailLines++;
          break;
        }
        const take = Math.min(seal.bytes - pos, chunk.length);
        if (seal.type !== 'reopen') hash.update(chunk.subarray(0, take));
        pos += take;
        chunk = chunk.subarray(take);
        if (pos < seal.bytes) continue;
        if (seal.type === 'reopen') {
          appendedBeforeReopen(ctx, entry, segmentStart(), seal);
        } else {
          if (hash.digest('hex') !== seal.sha256) return await locate(ctx, entry, segmentStart(), seal);
          ctx.result.sealedLines += seal.lines - segmentStart().lines;
        }
        hash = createHash('sha256');
        s++;
      }
    }
  } catch (error) {
    problem(ctx, 'io', entry.key, null, `cannot read the file: ${(error as Error).message}`);
    return;
  }
  // seals of no new lines (a close right after a seal, a reopen right after it) end where the data ended
  for (; s < seals.length && seals[s]!.bytes === pos; s++) {
    const seal = seals[s]!;
    if (seal.type === 'reopen') {
      appendedBeforeReopen(ctx, entry, segmentStart(), seal);
    } else {
      if (hash.digest('hex') !== seal.sha256) return await locate(ctx, entry, segmentStart(), seal);
      ctx.result.sealedLines += seal.lines - segmentStart().lines;
    }
    hash = createHash('sha256');
  }
  const short = seals[s];
  if (short !== undefined) {
    if (short.type !== 'reopen') return await locate(ctx, entry, segmentStart(), short);
    problem(ctx, 'truncated', entry.key, segmentStart().lines + 1, `the file ends before reopen ${short.n}`);
    return;
  }
  const sealed = seals.at(-1) ?? open;
  if (tailBytes === 0) return;
  const closed = seals.at(-1)?.type === 'close';
  if (tailLines === 0) {
    problem(
      ctx,
      'torn',
      entry.key,
      sealed.lines + 1,
      `${tailBytes} bytes of an unterminated last line after the last seal`,
    );
    return;
  }
  if (closed) {
    problem(ctx, 'appended', entry.key, sealed.lines + 1, `${tailLines} lines after the file's closing seal`);
  } else if (newest) {
    problem(
      ctx,
      'unsealed',
      entry.key,
      sealed.lines + 1,
      `${tailLines} lines after the last seal (still being written, or the writer stopped before sealing them)`,
    );
  } else {
    problem(
      ctx,
      'unsealed',
      entry.key,
      sealed.lines + 1,
      `${tailLines} lines after the last seal of a file that was never closed`,
    );
  }
}

/** Lines between a `close` and the `reopen` after it were written while no writer had the file. */
function appendedBeforeReopen(
  ctx: Context,
  entry: Entry,
  closed: { bytes: number; lines: number },
  reopen: ReopenRecord,
): void {
  if (reopen.bytes === closed.bytes) return;
  const lines = reopen.lines - closed.lines;
  problem(
    ctx,
    'appended',
    entry.key,
    closed.lines + 1,
    `${lines} lines after the file's closing seal, before a writer reopened it (not the writer's)`,
  );
}

async function locate(
  ctx: Context,
  entry: Entry,
  start: { bytes: number; lines: number },
  seal: SealRecord,
): Promise<void> {
  const { path, gzip } = entry.data!;
  const sealedLines = seal.lines - start.lines;
  let lines: Buffer[];
  try {
    lines = await readLines(path, gzip, start.bytes, sealedLines + 2);
  } catch (error) {
    problem(ctx, 'io', entry.key, start.lines + 1, `cannot read the file: ${(error as Error).message}`);
    return;
  }
  const found = locateDifference(seal.crc, lines);
  const at = start.lines + 1 + (found?.index ?? 0);
  const what = {
    modified: 'the line was modified',
    deleted: 'a line was deleted here',
    inserted: 'a line was inserted here',
    reordered: 'lines were reordered here',
    truncated: `the file ends here, but seal ${seal.n} covers lines through ${seal.lines}`,
  };
  if (found === undefined) {
    problem(
      ctx,
      'modified',
      entry.key,
      at,
      `lines ${start.lines + 1}–${seal.lines} do not match seal ${seal.n}`,
    );
  } else {
    problem(ctx, found.kind, entry.key, at, what[found.kind]);
  }
}

function isChainKey(key: VerifyTrailOptions['key']): key is ChainKey {
  return typeof key === 'object' && key !== null && !Buffer.isBuffer(key) && 'alg' in key;
}

/** `file:line` (or just the file) of a problem, for one-line reports. */
export function problemPlace(p: TrailProblem): string {
  return p.line === null ? basename(p.file) : `${basename(p.file)}:${p.line}`;
}

function byStemThenAge(a: Entry, b: Entry): number {
  if (a.stem !== b.stem) return a.stem < b.stem ? -1 : 1;
  return a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
}
