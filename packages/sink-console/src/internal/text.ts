/** Control characters, bidi overrides and line separators: anything that could move the cursor or reorder text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
const SPACE_LIKE = /[\t\n\v\f\r\u2028\u2029]/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Makes text from a payload safe for one terminal line: line breaks and tabs become spaces, other
 * control characters (ESC of an ANSI sequence included) and bidi overrides become U+FFFD, so a
 * payload can neither break the line nor restyle or rewrite the terminal.
 */
export function sanitize(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, (c) => (SPACE_LIKE.test(c) ? ' ' : '\ufffd'));
}

/** [first, last] code points taking no column (combining marks, zero-width characters, variation selectors). */
const ZERO_WIDTH: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x0483, 0x0489],
  [0x0591, 0x05bd],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
  [0xe0100, 0xe01ef],
];

/** [first, last] code points a terminal draws two columns wide (East Asian Wide/Fullwidth and emoji). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function inRanges(ranges: readonly (readonly [number, number])[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = ranges[mid]!;
    if (cp < first) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns a terminal uses for one code point: 0, 1 or 2. */
export function codePointWidth(cp: number): number {
  if (cp < 0x0300) return 1;
  if (inRanges(ZERO_WIDTH, cp)) return 0;
  return inRanges(WIDE, cp) ? 2 : 1;
}

/** Columns a terminal uses for sanitized text. */
export function textWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const char of text) width += codePointWidth(char.codePointAt(0)!);
  return width;
}

/**
 * Cuts sanitized text to at most `columns` columns, ending in `…` when something was cut. It cuts
 * between code points, so a surrogate pair (an emoji, a rare CJK character) is never split.
 */
export function truncate(text: string, columns: number): string {
  if (columns <= 0) return '';
  if (PRINTABLE_ASCII.test(text)) {
    return text.length <= columns ? text : `${text.slice(0, columns - 1)}…`;
  }
  if (textWidth(text) <= columns) return text;
  let width = 0;
  let end = 0;
  for (const char of text) {
    const w = codePointWidth(char.codePointAt(0)!);
    if (width + w > columns - 1) break;
    width += w;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

/**
 * JSON text of `value`, stopping soon after `max` characters: a huge payload costs no more than a
 * small one. Nesting deeper than 4 levels shows as `…`.
 */
export function compactJson(value: unknown, max: number): string {
  const out = new JsonBudget(max);
  out.value(value, 0);
  return out.text();
}

class JsonBudget {
  readonly #max: number;
  #text = '';

  constructor(max: number) {
    this.#max = max;
  }

  get full(): boolean {
    return this.#text.length > this.#max;
  }

  text(): string {
    return this.#text.length > this.#max ? `${this.#text.slice(0, this.#max)}…` : this.#text;
  }

  value(value: unknown, depth: number): void {
    if (this.full) return;
    if (value === null || typeof value === 'number' || typeof value === 'boolean') {
      this.#push(String(value));
    } else if (typeof value === 'string') {
      this.#push(JSON.stringify(value.length > this.#max ? value.slice(0, this.#max) : value));
    } else if (typeof value !== 'object') {
      this.#push('null');
    } else if (depth >= 4) {
      this.#push(Array.isArray(value) ? '[…]' : '{…}');
    } else if (Array.isArray(value)) {
      this.#push('[');
      for (let i = 0; i < value.length && !this.full; i++) {
        if (i > 0) this.#push(',');
        this.value(value[i], depth + 1);
      }
      this.#push(']');
    } else {
      this.#push('{');
      let first = true;
      for (const [key, item] of Object.entries(value)) {
        if (this.full) break;
        if (item === undefined) continue;
        this.#push(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        this.value(item, depth + 1);
      }
      this.#push('}');
    }
  }

  #push(text: string): void {
    this.#text += text;
  }
}
