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

/** `reading,<tags>`: the series key, the same for every reading of one sensor. */
function seriesKey(r: StoredReading): string {
  let l = `reading,agentId=${tag(r.agentId)}`;
  if (r.gas) l += `,gas=${tag(r.gas)}`;
  return `${l},metric=${tag(r.metric)},sensorId=${tag(r.sensorId)},siteId=${tag(r.siteId)},unit=${tag(r.unit)}`;
}

/** ` <fields> <ts>`; quality only when not 'good' (absent = good): good readings, nearly all of them, cost InfluxDB one field instead of two. */
const fieldsOf = (r: StoredReading): string =>
  r.quality === 'good'
    ? ` value=${r.value} ${Math.round(r.ts)}`
    : ` quality=${str(r.quality)},value=${r.value} ${Math.round(r.ts)}`;

/** One line without the newline; null for a value the protocol cannot carry (NaN, Infinity). */
export function readingLine(r: StoredReading): string | null {
  if (!Number.isFinite(r.value) || !Number.isFinite(r.ts)) return null;
  return seriesKey(r) + fieldsOf(r);
}

interface CachedKey {
  agentId: string;
  gas: string | undefined;
  metric: string;
  siteId: string;
  unit: string;
  key: string;
}

/**
 * Series keys by sensor (issue 18: escaping and joining six tags for every reading was the
 * larger part of serializing it). A hit needs every tag to be equal, so a sensor moved to
 * another agent or site gets a fresh key; past `max` sensors the cache starts over.
 */
export class SeriesKeys {
  private readonly keys = new Map<string, CachedKey>();

  constructor(private readonly max = 200_000) {}

  of(r: StoredReading): string {
    const c = this.keys.get(r.sensorId);
    if (
      c &&
      c.agentId === r.agentId &&
      c.siteId === r.siteId &&
      c.metric === r.metric &&
      c.unit === r.unit &&
      c.gas === r.gas
    )
      return c.key;
    if (this.keys.size >= this.max) this.keys.clear();
    const key = seriesKey(r);
    this.keys.set(r.sensorId, {
      agentId: r.agentId,
      gas: r.gas,
      metric: r.metric,
      siteId: r.siteId,
      unit: r.unit,
      key,
    });
    return key;
  }
}

/** Serialized points waiting for InfluxDB: whole lines as UTF-8, each ending with a newline. */
export interface LineChunk {
  bytes: Buffer;
  count: number;
  minTs: number;
}

/**
 * The batch body of `batch[from, to)` as UTF-8 bytes (each line ends with a newline, which
 * InfluxDB accepts after the last one too), its point count and earliest timestamp; skipped
 * counts unrepresentable points. One string is built as it goes (no per-line array) and encoded
 * once here. Issue 18: a batch kept as that string is a rope of a few string objects per line,
 * alive in the heap until the write (long enough for the GC to promote and mark it), flattened
 * and encoded again on the way to the socket or the spool; as bytes it is one object. Writing
 * lines straight into a reused Buffer measured no faster than this single encode (bench/results/
 * ingest-profile.json).
 */
export function linesOf(
  batch: readonly StoredReading[],
  keys: SeriesKeys = new SeriesKeys(),
  from = 0,
  to = batch.length,
): { bytes: Buffer; count: number; minTs: number; skipped: number } {
  let body = '';
  let count = 0;
  let minTs = Number.POSITIVE_INFINITY;
  let skipped = 0;
  for (let i = from; i < to; i++) {
    const r = batch[i];
    if (!Number.isFinite(r.value) || !Number.isFinite(r.ts)) {
      skipped++;
      continue;
    }
    if (r.ts < minTs) minTs = r.ts;
    body += `${keys.of(r)}${fieldsOf(r)}\n`;
    count++;
  }
  return { bytes: Buffer.from(body, 'utf8'), count, minTs, skipped };
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
