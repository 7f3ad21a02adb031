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
