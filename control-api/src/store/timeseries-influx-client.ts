/**
 * The InfluxDB 1.x connection of the time-series store: the `influx` client (set-up, queries),
 * the /write URL and headers the writer posts line protocol to, and the readings query.
 */
import { InfluxDB, escape as influxEscape } from 'influx';
import { RAW_RP, readingsStatements } from './timeseries-influx-schema.js';
import { BucketAggregator, checkQuery, MINUTE_MS, queryPlan } from './timeseries-query.js';
import type { RawReading, ReadingPoint } from './types.js';

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** The `influx` pool's host backoff: short and flat, our writer does the real backoff. */
const POOL_BACKOFF = {
  getDelay: () => 100,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

export interface InfluxConnection {
  influx: InfluxDB;
  writeUrl: string;
  writeHeaders: Record<string, string>;
}

export function connectInflux(urlText: string, db: string): InfluxConnection {
  const url = new URL(urlText);
  const influx = new InfluxDB({
    host: url.hostname,
    port: Number(url.port || 8086),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: db,
    pool: { maxRetries: 0, requestTimeout: 10_000, backoff: POOL_BACKOFF },
  });
  const w = new URL('/write', url);
  w.username = '';
  w.password = '';
  w.search = new URLSearchParams({ db, rp: RAW_RP, precision: 'ms' }).toString();
  const writeHeaders: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (url.username) {
    const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    writeHeaders.authorization = `Basic ${Buffer.from(cred).toString('base64')}`;
  }
  return { influx, writeUrl: w.toString(), writeHeaders };
}

/**
 * Rollup queries take the minutes the CQ may not have reached yet (the last two) from raw
 * data, so a long chart ends at the newest reading; min/max/sum/count merge exactly.
 */
export async function queryReadings(
  influx: InfluxDB,
  db: string,
  q: { sensorId: string; fromMs: number; toMs: number; stepMs: number; now: number; rawRetentionMs: number },
): Promise<ReadingPoint[]> {
  checkQuery(q.fromMs, q.toMs, q.stepMs);
  const { rollup, stepMs: step } = queryPlan(q.fromMs, q.toMs, Math.round(q.stepMs), q.now, q.rawRetentionMs);
  const from = Math.floor(q.fromMs);
  const to = Math.ceil(q.toMs);
  const split = rollup ? Math.max(from, Math.min(to, Math.floor(q.now / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS)) : from;
  const statements = readingsStatements(db, q.sensorId, from, split, to, step);
  let raw: unknown;
  try {
    raw = await influx.queryRaw(statements.join('; '), { precision: 'ms' });
  } catch (err) {
    throw new Error(`timeseries: InfluxDB query failed: ${errText(err)}`);
  }
  const agg = new BucketAggregator(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, step);
  for (const result of (raw as { results?: { series?: { values?: number[][] }[] }[] }).results ?? []) {
    for (const [ts, min, max, sum, count] of result.series?.[0]?.values ?? []) agg.addAgg(ts, min, max, sum, count);
  }
  return agg.points();
}

/** Points per raw page: an hour of a 1 Hz sensor plus headroom; pages follow each other by time. */
const RAW_PAGE = 5_000;

/**
 * One sensor's raw points with from <= ts < to, oldest first, page by page (keyset on time), so
 * a month of readings is never held at once. `quality` is stored only when not good.
 */
export async function* rawReadings(
  influx: InfluxDB,
  db: string,
  sensorId: string,
  fromMs: number,
  toMs: number,
): AsyncGenerator<RawReading[]> {
  let from = Math.floor(fromMs);
  const to = Math.ceil(toMs);
  const sensor = `"sensorId" = ${influxEscape.stringLit(sensorId)}`;
  const measurement = `${influxEscape.quoted(db)}.${influxEscape.quoted(RAW_RP)}."reading"`;
  while (from < to) {
    const statement =
      `SELECT "value", "quality" FROM ${measurement} WHERE ${sensor} AND time >= ${from}ms AND time < ${to}ms ` +
      `ORDER BY time ASC LIMIT ${RAW_PAGE}`;
    let raw: unknown;
    try {
      raw = await influx.queryRaw(statement, { precision: 'ms' });
    } catch (err) {
      throw new Error(`timeseries: InfluxDB raw query failed: ${errText(err)}`);
    }
    const values =
      (raw as { results?: { series?: { values?: [number, number, string | null][] }[] }[] }).results?.[0]?.series?.[0]
        ?.values ?? [];
    const page: RawReading[] = [];
    for (const [ts, value, quality] of values)
      page.push({ ts, value, quality: quality === 'fault' || quality === 'stale' ? quality : 'good' });
    if (page.length > 0) yield page;
    if (values.length < RAW_PAGE) return;
    from = values[values.length - 1][0] + 1;
  }
}

/** Most points one site's recent-points query returns (a takeover's redelivery window is seconds). */
const SITE_RECENT_LIMIT = 200_000;

/**
 * Issue 19: the (sensorId, ts) of every point of a site stored at or after `fromMs`, as
 * `${sensorId} ${ts}` keys. A new owner of the site asks once, before it resumes the site's
 * session, so a message the dead owner had stored but not acknowledged (redelivered) is not
 * stored and counted a second time.
 */
export async function recentSiteKeys(
  influx: InfluxDB,
  db: string,
  siteId: string,
  fromMs: number,
): Promise<Set<string>> {
  const measurement = `${influxEscape.quoted(db)}.${influxEscape.quoted(RAW_RP)}."reading"`;
  const statement =
    `SELECT "value" FROM ${measurement} WHERE "siteId" = ${influxEscape.stringLit(siteId)} ` +
    `AND time >= ${Math.floor(fromMs)}ms GROUP BY "sensorId" LIMIT ${SITE_RECENT_LIMIT}`;
  let raw: unknown;
  try {
    raw = await influx.queryRaw(statement, { precision: 'ms' });
  } catch (err) {
    throw new Error(`timeseries: InfluxDB recent points query failed: ${errText(err)}`);
  }
  const keys = new Set<string>();
  type Series = { tags?: { sensorId?: string }; values?: [number, number][] };
  for (const series of (raw as { results?: { series?: Series[] }[] }).results?.[0]?.series ?? []) {
    const sensorId = series.tags?.sensorId;
    if (sensorId === undefined) continue;
    for (const [ts] of series.values ?? []) keys.add(`${sensorId} ${ts}`);
  }
  return keys;
}
