import { jsonString } from './json-text.js';

/**
 * `jsonString` between fixed texts (`before` and `after`, the keys around the value in a line), with
 * the last input and output kept: a field that repeats costs one comparison, and adds one flat
 * piece to the line instead of three.
 */
export class LastJson {
  readonly #before: string;
  readonly #after: string;
  #text: string | undefined;
  #json = '';

  constructor(before = '', after = '') {
    this.#before = before;
    this.#after = after;
  }

  /** `before`, the JSON text of `text`, then `after`. */
  json(text: string): string {
    if (text !== this.#text) {
      this.#json = flat(this.#before + jsonString(text) + this.#after);
      this.#text = text;
    }
    return this.#json;
  }
}

/**
 * The same string, flattened now (V8 flattens a rope on its first `charCodeAt`): a text kept for
 * many lines is then copied as one piece into each, not walked as a tree of pieces each time.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
