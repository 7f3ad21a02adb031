/** Characters `JSON.stringify` escapes in a string, and lone surrogate halves (which it also escapes). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * `JSON.stringify(text)` for a string, cheaper when nothing needs escaping (the common case): the
 * text is scanned once and quoted as it is. Pairs of surrogates take the slow path, which is exact.
 */
export function jsonString(text: string): string {
  return needsEscape(text) ? JSON.stringify(text) : `"${text}"`;
}

/** True when `JSON.stringify(text)` is not just `text` in quotes (or might not be: surrogate pairs). */
export function needsEscape(text: string): boolean {
  if (text.length < 48) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
    }
    return false;
  }
  return NEEDS_ESCAPE.test(text);
}

/** `JSON.stringify(value)` for a number: its shortest round-trip text, `null` when not finite. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}
