/**
 * A VMS/NVR channel list as CSV (issue 20: register a whole site's cameras at once). RFC 4180
 * (quoted fields, doubled quotes, CRLF or LF), UTF-8 with or without BOM, a header row naming
 * the columns in any order (case and spaces ignored):
 *
 *   cameraId, name, rtspUrl, username, password, onvifUrl, profileToken, lat, lon
 *
 * `cameraId` and one of `rtspUrl` / `onvifUrl` are required per row. Pure: text in, rows out.
 */
import type { CameraCreateBody } from '@gwanje/protocol';

export const CSV_COLUMNS = [
  'cameraId',
  'name',
  'rtspUrl',
  'username',
  'password',
  'onvifUrl',
  'profileToken',
  'lat',
  'lon',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** At most this many channels per import (a large NVR has 256; a site a few hundred). */
export const MAX_CSV_ROWS = 2000;

export interface CsvProblem {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  field: string;
  message: string;
}

/** Splits RFC 4180 text into records of fields, each with the line it starts on. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const src = text.replace(/^\uFEFF/, '');
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '')) out.push({ line: start, fields });
    fields = [];
    field = '';
  };
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error(`csv: line ${start}: a quoted field is not closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

const norm = (h: string) => h.replace(/[\s_-]/g, '').toLowerCase();

/**
 * Turns the CSV into registration bodies for `siteId`, or the problems of every row (none is
 * registered unless all are good: the caller checks the bodies further and stores all at once).
 */
export function csvToCameras(
  text: string,
  siteId: string,
): { rows: { line: number; body: CameraCreateBody }[]; problems: CsvProblem[] } {
  const records = parseCsv(text);
  const problems: CsvProblem[] = [];
  if (records.length === 0) return { rows: [], problems: [{ line: 1, field: 'csv', message: 'no header row' }] };
  const [header, ...data] = records;
  const index = new Map<CsvColumn, number>();
  header.fields.forEach((h, i) => {
    const col = CSV_COLUMNS.find((c) => norm(c) === norm(h));
    if (col) index.set(col, i);
    else
      problems.push({ line: 1, field: h.slice(0, 64), message: `unknown column (known: ${CSV_COLUMNS.join(', ')})` });
  });
  if (!index.has('cameraId')) problems.push({ line: 1, field: 'cameraId', message: 'column is required' });
  if (!index.has('rtspUrl') && !index.has('onvifUrl'))
    problems.push({ line: 1, field: 'rtspUrl', message: 'a rtspUrl or onvifUrl column is required' });
  if (data.length > MAX_CSV_ROWS)
    problems.push({ line: 1, field: 'csv', message: `at most ${MAX_CSV_ROWS} rows per import` });
  if (problems.length > 0) return { rows: [], problems };
  const rows: { line: number; body: CameraCreateBody }[] = [];
  const seen = new Map<string, number>();
  for (const r of data) {
    const get = (c: CsvColumn) => {
      const i = index.get(c);
      const v = i === undefined ? undefined : r.fields[i]?.trim();
      return v === '' ? undefined : v;
    };
    const cameraId = get('cameraId') ?? '';
    const prior = seen.get(cameraId);
    if (prior !== undefined) {
      problems.push({ line: r.line, field: 'cameraId', message: `${cameraId} is also on line ${prior}` });
      continue;
    }
    seen.set(cameraId, r.line);
    const body: Record<string, unknown> = { cameraId, siteId };
    const name = get('name');
    if (name !== undefined) body.name = name;
    const onvifUrl = get('onvifUrl');
    if (onvifUrl !== undefined) {
      body.onvif = { url: onvifUrl, username: get('username') ?? '', password: get('password') ?? '' };
      const token = get('profileToken');
      if (token !== undefined) (body.onvif as Record<string, unknown>).profileToken = token;
    }
    const rtspUrl = get('rtspUrl');
    if (rtspUrl !== undefined) {
      body.rtspUrl = rtspUrl;
      if (onvifUrl === undefined) {
        const username = get('username');
        const password = get('password');
        if (username !== undefined) body.username = username;
        if (password !== undefined) body.password = password;
      }
    }
    for (const c of ['lat', 'lon'] as const) {
      const v = get(c);
      if (v === undefined) continue;
      const n = Number(v);
      if (!Number.isFinite(n)) problems.push({ line: r.line, field: c, message: 'must be a number' });
      else body[c] = n;
    }
    rows.push({ line: r.line, body: body as CameraCreateBody });
  }
  return { rows, problems };
}
