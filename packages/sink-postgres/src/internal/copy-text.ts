/** One value in PostgreSQL's `COPY … FROM STDIN` text format: `\N` for null, special characters escaped. */
export function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  // `includes` scans far faster than a regular expression; canonical JSON has backslashes, never raw controls
  const controls = value.includes('\n') || value.includes('\r') || value.includes('\t');
  if (controls) return value.replace(/[\\\n\r\t]/g, escapeChar);
  return value.includes('\\') ? value.replaceAll('\\', '\\\\') : value;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return ESCAPES[c]!;
}

/** One row of `COPY` text: fields joined by tabs, ended by a newline. */
export function copyRow(values: readonly (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : '\t') + copyField(values[i] ?? null);
  return `${line}\n`;
}

/**
 * `COPY` text written row by row as UTF-8 into a buffer of its own (not from Node's shared pool, so
 * it can be moved to another thread), grown by doubling; no single string of the whole batch is made.
 */
export class CopyBuffer {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes: number) {
    this.#buffer = Buffer.allocUnsafeSlow(Math.max(1024, initialBytes));
  }

  /** Appends `text` (rows ended by newlines). */
  append(text: string): void {
    // at most 3 UTF-8 bytes per UTF-16 unit; counted exactly only when that might not fit
    if (this.#length + text.length * 3 > this.#buffer.length) this.#fit(Buffer.byteLength(text));
    this.#length += this.#buffer.write(text, this.#length);
  }

  #fit(bytes: number): void {
    const room = this.#length + bytes;
    if (room > this.#buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(room, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
  }

  /** The bytes written so far (a view of the buffer, which is its own `ArrayBuffer`). */
  bytes(): Uint8Array {
    return new Uint8Array(this.#buffer.buffer, 0, this.#length);
  }
}
