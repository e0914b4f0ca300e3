/**
 * The CSV tables of issue 21, as generators of text chunks: raw readings of one sensor (with
 * quality) and alarms. The same generators feed `GET /api/v1/export/*.csv` and the evidence
 * bundle's trace, so a bundle's CSV and an export of the same window are the same bytes.
 */
import type { Alarm } from '@gwanje/protocol';
import type { AlarmQuery, RawReading, SensorRow } from '../store/types.js';
import { CSV_BOM, csvRow, isoTime } from './csv.js';

export const READINGS_HEADER = [
  'ts',
  'time_utc',
  'sensorId',
  'siteId',
  'agentId',
  'metric',
  'gas',
  'unit',
  'value',
  'quality',
] as const;

/** Header, then one line per reading; one chunk per batch the store yields. */
export async function* readingsCsv(
  sensor: Pick<SensorRow, 'sensorId' | 'siteId' | 'agentId' | 'metric' | 'gas' | 'unit'>,
  batches: AsyncIterable<RawReading[]>,
): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(READINGS_HEADER);
  const fixed = [sensor.sensorId, sensor.siteId, sensor.agentId, sensor.metric, sensor.gas ?? '', sensor.unit];
  for await (const batch of batches) {
    let chunk = '';
    for (const r of batch) {
      chunk += csvRow([
        r.ts,
        isoTime(r.ts),
        fixed[0],
        fixed[1],
        fixed[2],
        fixed[3],
        fixed[4],
        fixed[5],
        r.value,
        r.quality,
      ]);
    }
    yield chunk;
  }
}

export const ALARMS_HEADER = [
  'id',
  'siteId',
  'sourceId',
  'sourceKind',
  'type',
  'priority',
  'state',
  'raisedAt',
  'raised_utc',
  'clearedAt',
  'ackedAt',
  'ackedBy',
  'value',
  'threshold',
  'message',
  'cameras',
] as const;

export function alarmRow(a: Alarm): string {
  return csvRow([
    a.id,
    a.siteId,
    a.sourceId,
    a.sourceKind,
    a.type,
    a.priority,
    a.state,
    a.raisedAt,
    isoTime(a.raisedAt),
    a.clearedAt,
    a.ackedAt,
    a.ackedBy,
    a.value,
    a.threshold,
    a.message,
    a.cameras.join(' '),
  ]);
}

export async function* alarmsCsv(pages: AsyncIterable<Alarm[]>): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(ALARMS_HEADER);
  for await (const page of pages) yield page.map(alarmRow).join('');
}

const ALARM_PAGE = 2_000;

/**
 * Every alarm the query matches, newest first, page by page. Pages are cut on `raisedAt` (the
 * list's `to` is exclusive): the next page asks up to the last time seen inclusive and skips the
 * ids already sent at that instant, so alarms sharing a millisecond are neither lost nor doubled.
 */
export async function* alarmPages(
  list: (q: AlarmQuery) => Promise<Alarm[]>,
  q: Omit<AlarmQuery, 'limit'>,
): AsyncGenerator<Alarm[]> {
  let to = q.to;
  let seenAtEdge = new Set<string>();
  for (;;) {
    const rows = await list({ ...q, to, limit: ALARM_PAGE });
    const fresh = rows.filter((a) => !seenAtEdge.has(a.id));
    if (fresh.length > 0) yield fresh;
    if (rows.length < ALARM_PAGE) return;
    const edge = rows[rows.length - 1].raisedAt;
    const atEdge = rows.filter((a) => a.raisedAt === edge).map((a) => a.id);
    // A whole page at one instant cannot be cut further: continue strictly before it.
    if (atEdge.length === rows.length) {
      to = edge;
      seenAtEdge = new Set();
      continue;
    }
    seenAtEdge = new Set(edge + 1 === to ? [...seenAtEdge, ...atEdge] : atEdge);
    to = edge + 1;
  }
}
