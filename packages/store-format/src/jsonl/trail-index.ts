import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { JsonlCorruption, JsonlCorruptReason } from './read-jsonl.js';
import { type FileIdentity, fileIdentity, identityMatches } from './trail-index-identity.js';

/** What a sidecar index file is named: the trail file's name plus this (`events.jsonl.idx`). */
export const TRAIL_INDEX_SUFFIX = '.idx';

/** Typed-array kinds of index columns; `b16` holds 16 bytes per row (a UUID). */
export type TrailIndexColumnKind = 'f64' | 'u32' | 'i32' | 'u8' | 'b16';

/** The typed array of each column kind. */
export type TrailIndexColumn = Float64Array | Uint32Array | Int32Array | Uint8Array;

/**
 * The per-event columns a sidecar index keeps, one value per indexed line (`i32` string columns
 * hold an index into `strings`, -1 for null; `f64` nulls are NaN).
 */
export const TRAIL_INDEX_COLUMNS = {
  /** Epoch ms of `timestamp`. */
  ts: 'f64',
  /** Byte offset of the line in the (uncompressed) file, and its length without the `\n`. */
  offset: 'f64',
  length: 'u32',
  /** `event_id` as 16 bytes. */
  id: 'b16',
  /** 0 no parent, 1 `parent` holds a UUID, 2 `parent`'s first 4 bytes hold a string index. */
  parent_kind: 'u8',
  parent: 'b16',
  run: 'i32',
  session: 'i32',
  type: 'i32',
  source: 'i32',
  audit: 'i32',
  /** Span operation, else the event type. */
  name: 'i32',
  layer: 'i32',
  component: 'i32',
  model: 'i32',
  /** A `run.finished` payload's `outcome`. */
  outcome: 'i32',
  /** 0 null, 1 ok, 2 error. */
  status: 'u8',
  duration: 'f64',
  turn: 'f64',
  prompt_tokens: 'f64',
  completion_tokens: 'f64',
  total_tokens: 'f64',
  cost_usd: 'f64',
} as const satisfies Record<string, TrailIndexColumnKind>;

/** A column name of {@link TRAIL_INDEX_COLUMNS}. */
export type TrailIndexColumnName = keyof typeof TRAIL_INDEX_COLUMNS;

type ColumnOf<K> = K extends 'f64'
  ? Float64Array
  : K extends 'u32'
    ? Uint32Array
    : K extends 'i32'
      ? Int32Array
      : Uint8Array;
/** Every column of {@link TRAIL_INDEX_COLUMNS} as its typed array. */
export type TrailIndexColumns = { [N in TrailIndexColumnName]: ColumnOf<(typeof TRAIL_INDEX_COLUMNS)[N]> };

/** The contents of one trail file's sidecar index: its lines up to `identity.covered`. */
export interface TrailIndexData {
  identity: FileIdentity;
  /** Lines in the covered bytes, blank and corrupt ones included. */
  lines: number;
  /** Lines skipped as corrupt, by reason, and the first few of them (with the file's name as `file`). */
  corrupt: Partial<Record<JsonlCorruptReason, number>>;
  issues: JsonlCorruption[];
  rows: number;
  strings: string[];
  columns: TrailIndexColumns;
}

const MAGIC = Buffer.from('OBSTIDX1', 'latin1');
const VERSION = 1;
const BYTES: Record<TrailIndexColumnKind, number> = { f64: 8, u32: 4, i32: 4, u8: 1, b16: 16 };
const pad8 = (n: number) => (n + 7) & ~7;

/** An empty column of `kind` for `rows` rows. */
export function allocColumn(kind: TrailIndexColumnKind, rows: number): TrailIndexColumn {
  if (kind === 'f64') return new Float64Array(rows);
  if (kind === 'u32') return new Uint32Array(rows);
  if (kind === 'i32') return new Int32Array(rows);
  return new Uint8Array(kind === 'b16' ? rows * 16 : rows);
}

function viewColumn(
  kind: TrailIndexColumnKind,
  buffer: ArrayBufferLike,
  at: number,
  rows: number,
): TrailIndexColumn {
  if (kind === 'f64') return new Float64Array(buffer, at, rows);
  if (kind === 'u32') return new Uint32Array(buffer, at, rows);
  if (kind === 'i32') return new Int32Array(buffer, at, rows);
  return new Uint8Array(buffer, at, kind === 'b16' ? rows * 16 : rows);
}

/** The binary form of a sidecar index: magic, row count, a JSON header, 8-byte aligned columns, a SHA-256 of it all. */
export function encodeTrailIndex(data: TrailIndexData): Buffer {
  const { columns, ...meta } = data;
  const header = Buffer.from(JSON.stringify({ version: VERSION, ...meta }), 'utf8');
  const parts: Buffer[] = [
    MAGIC,
    u32(data.rows),
    u32(header.length),
    header,
    Buffer.alloc(pad8(16 + header.length) - 16 - header.length),
  ];
  for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
    const column = columns[name as TrailIndexColumnName];
    const bytes = data.rows * BYTES[kind];
    const view = Buffer.from(column.buffer, column.byteOffset, bytes);
    parts.push(view, Buffer.alloc(pad8(bytes) - bytes));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Decodes {@link encodeTrailIndex}'s output; `undefined` for anything damaged, truncated or of another version. */
export function decodeTrailIndex(buffer: Buffer): TrailIndexData | undefined {
  if (buffer.length < 16 + 32 || !buffer.subarray(0, 8).equals(MAGIC)) return undefined;
  const body = buffer.subarray(0, buffer.length - 32);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(buffer.subarray(buffer.length - 32))
  )
    return undefined;
  const headerLength = body.readUInt32LE(12);
  if (16 + headerLength > body.length) return undefined;
  let meta: Omit<TrailIndexData, 'columns'> & { version: number };
  try {
    meta = JSON.parse(body.subarray(16, 16 + headerLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (meta.version !== VERSION || meta.rows !== body.readUInt32LE(8)) return undefined;
  let at = pad8(16 + headerLength);
  const columns = {} as Record<TrailIndexColumnName, TrailIndexColumn>;
  for (const [name, kind] of Object.entries(TRAIL_INDEX_COLUMNS)) {
    const bytes = meta.rows * BYTES[kind];
    if (at + bytes > body.length) return undefined;
    // a view when aligned (the usual case: a file read into its own buffer), else a copy
    const aligned = (buffer.byteOffset + at) % 8 === 0;
    const column = aligned
      ? viewColumn(kind, buffer.buffer, buffer.byteOffset + at, meta.rows)
      : allocColumn(kind, meta.rows);
    if (!aligned) Buffer.from(column.buffer).set(body.subarray(at, at + bytes));
    columns[name as TrailIndexColumnName] = column;
    at += pad8(bytes);
  }
  if (at !== body.length) return undefined;
  const { version: _, ...rest } = meta;
  return { ...rest, columns: columns as TrailIndexColumns };
}

/** How many rows the sidecar index of the trail file at `path` says it has (0 when there is none), from its first bytes. */
export async function peekTrailIndexRows(path: string): Promise<number> {
  try {
    const file = await open(`${path}${TRAIL_INDEX_SUFFIX}`, 'r');
    try {
      const head = Buffer.alloc(16);
      const { bytesRead } = await file.read(head, 0, 16, 0);
      return bytesRead === 16 && head.subarray(0, 8).equals(MAGIC) ? head.readUInt32LE(8) : 0;
    } finally {
      await file.close();
    }
  } catch {
    return 0;
  }
}

/**
 * The sidecar index of the trail file at `path`, when one exists, is intact, and still describes
 * the file: same device and inode, at least the covered bytes, the same hashes of its first and of
 * its last covered 64 KiB, and (unless the file grew, as a live file does) the same mtime.
 * `undefined` otherwise: the caller reads the file and writes a new index.
 */
export async function readTrailIndex(path: string): Promise<TrailIndexData | undefined> {
  let buffer: Buffer;
  try {
    buffer = await readFile(`${path}${TRAIL_INDEX_SUFFIX}`);
  } catch {
    return undefined;
  }
  const data = decodeTrailIndex(buffer);
  if (data === undefined) return undefined;
  const now = await fileIdentity(path, data.identity.covered, data.identity).catch(() => undefined);
  return now !== undefined && identityMatches(data.identity, now) ? data : undefined;
}

/**
 * Writes the sidecar index of the trail file at `path` atomically (a unique temporary file renamed
 * over it). Resolves `false` when it cannot (read-only directory, full disk): the index is an
 * optimisation, and the caller keeps what it read in memory.
 */
export async function writeTrailIndex(path: string, data: TrailIndexData): Promise<boolean> {
  const target = `${path}${TRAIL_INDEX_SUFFIX}`;
  const tmp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, encodeTrailIndex(data), { mode: (await stat(path)).mode & 0o666 });
    await rename(tmp, target);
    return true;
  } catch {
    await rm(tmp, { force: true }).catch(() => {});
    return false;
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
