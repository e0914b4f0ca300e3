/**
 * CSV for the exports and the evidence trace (issue 21), RFC 4180 with two defences:
 * - Formula injection (OWASP "CSV Injection"): a text cell starting with = + - @ TAB or CR is
 *   prefixed with a single quote, so Excel or LibreOffice shows it as text instead of running it.
 *   Numbers are written as numbers (a negative temperature stays -3.5).
 * - Excel opens a UTF-8 file without a byte-order mark in the ANSI code page (cp949 in Korea), so
 *   Korean site names turn to mojibake: every file starts with the BOM.
 */

export const CSV_BOM = '\uFEFF';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | boolean | null | undefined;

/** One cell: numbers as they are, text neutralised and quoted when it must be. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record with its CRLF line end (RFC 4180 section 2). */
export const csvRow = (values: readonly CsvValue[]): string => `${values.map(csvCell).join(',')}\r\n`;

/** ISO 8601 UTC for a column people read next to the epoch-ms one machines read. */
export const isoTime = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();
