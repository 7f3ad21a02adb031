import { jsonString } from './json-text.js';

/** `jsonString` that remembers its last input and output: fields that repeat cost one comparison. */
export class LastJson {
  #text: string | undefined;
  #json = '';

  /** The JSON text of `text`. */
  json(text: string): string {
    if (text !== this.#text) {
      this.#json = jsonString(text);
      this.#text = text;
    }
    return this.#json;
  }
}
