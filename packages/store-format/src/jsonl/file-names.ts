import { createHash } from 'node:crypto';

/** Longest file stem derived from an event type, before the hash suffix. */
const MAX_STEM = 100;
const STAMPED = /^(.+)\.(\d{8}T\d{9}Z)-(\d{3,9})\.jsonl(\.gz)?$/;
const PLAIN = /^(.+)\.jsonl(\.gz)?$/;

/** A trail file name taken apart (see {@link trailFileName}). */
export interface TrailFileName {
  /** The file name without `.gz`: equal for a file before and after compression. */
  key: string;
  /** What the events of this file share: the configured file name or a sanitized event type. */
  stem: string;
  /** `YYYYMMDDTHHMMSSmmmZ` when the file was opened, `null` for an unrotated `<stem>.jsonl`. */
  stamp: string | null;
  /** Tie-breaker between files opened in the same millisecond. */
  counter: number;
  gzip: boolean;
  /** Sorts files of one stem oldest first (an unstamped file comes before stamped ones). */
  order: string;
}

/**
 * The file stem for an event type: characters outside `[a-z0-9_.]` become `_`, runs of dots
 * collapse and leading/trailing dots go, so no name can hold a path separator, `..`, NUL or a
 * look-alike character; a changed or over-long name gets a hash of the original so two event types
 * never share a file.
 */
export function sanitizeEventTypeFileName(eventType: string): string {
  let stem = eventType
    .replace(/[^a-z0-9_.]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '');
  if (stem !== '' && stem === eventType && stem.length <= MAX_STEM) return stem;
  if (stem.length > MAX_STEM) stem = stem.slice(0, MAX_STEM).replace(/\.+$/, '');
  const hash = createHash('sha256').update(eventType, 'utf8').digest('hex').slice(0, 12);
  return `${stem || '_'}-${hash}`;
}

/** `<stem>.jsonl` without a stamp, `<stem>.<YYYYMMDDTHHMMSSmmmZ>-<nnn>.jsonl` with one. */
export function trailFileName(stem: string, openedAt?: number, counter = 0): string {
  if (openedAt === undefined) return `${stem}.jsonl`;
  const stamp = new Date(openedAt).toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stem}.${stamp}-${String(counter).padStart(3, '0')}.jsonl`;
}

/** Parses a trail file name; `undefined` when the name is not one. */
export function parseTrailFileName(name: string): TrailFileName | undefined {
  const stamped = STAMPED.exec(name);
  if (stamped) {
    const [, stem, stamp, counter, gz] = stamped;
    const n = Number(counter);
    return {
      key: gz ? name.slice(0, -3) : name,
      stem: stem!,
      stamp: stamp!,
      counter: n,
      gzip: gz !== undefined,
      order: `1${stamp}-${String(n).padStart(9, '0')}`,
    };
  }
  const plain = PLAIN.exec(name);
  if (!plain) return undefined;
  const [, stem, gz] = plain;
  return {
    key: gz ? name.slice(0, -3) : name,
    stem: stem!,
    stamp: null,
    counter: 0,
    gzip: gz !== undefined,
    order: '0',
  };
}
