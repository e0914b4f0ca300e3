/**
 * InfluxDB 1.x line protocol for a reading, written by hand because the ingest path serializes
 * up to 50,000 points/s and the generic `influx` point builder costs several times more.
 * Measurement `reading`; tags in key order (InfluxDB's preferred order) agentId, gas, metric,
 * sensorId, siteId, unit; fields value (float) and, unless it is 'good', quality (string); ms
 * timestamp.
 * Escaping per the line-protocol reference: tag values escape comma, equals and space; string
 * fields escape double quote and backslash.
 */
import type { StoredReading } from './types.js';

const NEEDS_TAG_ESCAPE = /[,= \\\n]/;
const tag = (v: string): string =>
  NEEDS_TAG_ESCAPE.test(v)
    ? v
        .replace(/\\/g, '\\\\')
        .replace(/([,= ])/g, '\\$1')
        .replace(/\n/g, '\\n')
    : v;
const str = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** One line without the newline; null for a value the protocol cannot carry (NaN, Infinity). */
export function readingLine(r: StoredReading): string | null {
  if (!Number.isFinite(r.value) || !Number.isFinite(r.ts)) return null;
  let l = `reading,agentId=${tag(r.agentId)}`;
  if (r.gas) l += `,gas=${tag(r.gas)}`;
  l += `,metric=${tag(r.metric)},sensorId=${tag(r.sensorId)},siteId=${tag(r.siteId)},unit=${tag(r.unit)}`;
  // quality only when not 'good' (fields are sparse; absent = good): good readings, nearly all of
  // them, cost InfluxDB one field value instead of two.
  l +=
    r.quality === 'good'
      ? ` value=${r.value} ${Math.round(r.ts)}`
      : ` quality=${str(r.quality)},value=${r.value} ${Math.round(r.ts)}`;
  return l;
}

/** Serialized points waiting for InfluxDB. */
export interface LineChunk {
  text: string;
  count: number;
  minTs: number;
}

/** The batch body, its point count and earliest timestamp; skipped counts unrepresentable points. */
export function linesOf(batch: StoredReading[]): { body: string; count: number; minTs: number; skipped: number } {
  const lines: string[] = [];
  let minTs = Number.POSITIVE_INFINITY;
  let skipped = 0;
  for (const r of batch) {
    const l = readingLine(r);
    if (l === null) {
      skipped++;
      continue;
    }
    if (r.ts < minTs) minTs = r.ts;
    lines.push(l);
  }
  return { body: lines.join('\n'), count: lines.length, minTs, skipped };
}

/**
 * Points of a batch InfluxDB 1.x refused with HTTP 400. A partial write (e.g. a field type
 * conflict) keeps the valid points and reports `dropped=N`; any other 400 (unparsable body)
 * is counted as the whole batch, the safe side for a loss counter.
 */
export function rejectedPoints(errorBody: string, batchPoints: number): number {
  const m = /dropped=(\d+)/.exec(errorBody);
  return m ? Math.min(batchPoints, Number(m[1])) : batchPoints;
}
