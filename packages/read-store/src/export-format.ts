import { canonicalJson, ENVELOPE_FIELDS, type Envelope } from '@obs/core';
import type { ExportFormat, Page, StoredEvent } from './read-store.js';

/** Columns of a CSV export: the envelope fields in canonical order; `payload` holds canonical JSON. */
export const CSV_COLUMNS: readonly string[] = ENVELOPE_FIELDS;

const NEEDS_QUOTES = /[",\r\n]/;
/** Leading characters a spreadsheet would run as a formula. */
const FORMULA = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A text
 * cell starting with `= + - @`, tab or CR gets a leading `'` so spreadsheets show it instead of
 * running it as a formula (numbers are left alone).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'object' ? canonicalJson(value)! : String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record of an envelope, CRLF-terminated. */
export function csvRow(envelope: Envelope): string {
  const record = envelope as unknown as Record<string, unknown>;
  return `${CSV_COLUMNS.map((column) => csvCell(record[column])).join(',')}\r\n`;
}

/**
 * Streams every event a query matches, page by page, as text chunks: canonical JSON lines (exactly
 * the stored text, `\n`-terminated), or CSV with a header row. Memory stays at one page.
 */
export async function* exportPages(
  nextPage: (cursor: string | undefined) => Promise<Page<StoredEvent>>,
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  let cursor: string | undefined;
  do {
    const page = await nextPage(cursor);
    if (page.items.length > 0) {
      yield format === 'csv'
        ? page.items.map((e) => csvRow(e.envelope)).join('')
        : page.items.map((e) => `${e.json}\n`).join('');
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
}
