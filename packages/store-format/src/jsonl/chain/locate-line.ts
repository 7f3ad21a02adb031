import { lineCrc } from './segment-digest.js';

/** What differs first between a segment's sealed lines and the file's lines from the segment's start. */
export interface LineDifference {
  /** 0-based index in the segment of the first line that differs. */
  index: number;
  kind: 'modified' | 'deleted' | 'inserted' | 'reordered' | 'truncated';
}

/**
 * Compares the sealed CRC-32s of a segment (`crc`, 8 hex digits a line) with the lines found in the
 * file; `undefined` when every sealed line is there unchanged.
 */
export function locateDifference(crc: string, lines: readonly Buffer[]): LineDifference | undefined {
  const sealed: string[] = crc.match(/.{8}/g) ?? [];
  const found = lines.map(lineCrc);
  for (let i = 0; i < sealed.length; i++) {
    const line = lines[i];
    if (line === undefined || (i === lines.length - 1 && line.at(-1) !== 10 && found[i] !== sealed[i])) {
      return { index: i, kind: 'truncated' };
    }
    if (found[i] === sealed[i]) continue;
    const rest = (a: string | undefined, b: string | undefined) => b === undefined || a === b;
    if (found[i] === sealed[i + 1] && rest(found[i + 1], sealed[i + 2])) return { index: i, kind: 'deleted' };
    if (found[i + 1] === sealed[i] && rest(found[i + 2], sealed[i + 1]))
      return { index: i, kind: 'inserted' };
    if (sealed.includes(found[i]!)) return { index: i, kind: 'reordered' };
    return { index: i, kind: 'modified' };
  }
  return undefined;
}
