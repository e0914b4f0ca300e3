/**
 * InfluxDB 1.x layout of Gwanje readings and the InfluxQL that reads it: the database, the
 * retention policies `raw` (default) and `rollup`, the continuous query `reading_1m` that rolls
 * raw points up per minute (min/max/sum/count, so rollups merge exactly), the backfill for
 * points that arrive after the CQ passed their minute, and the readings query.
 */
import { type InfluxDB, escape as influxEscape } from 'influx';
import type { Logger } from 'pino';

export const RAW_RP = 'raw';
export const ROLLUP_RP = 'rollup';
export const ROLLUP_MEASUREMENT = 'reading_1m';
/** The CQ recomputes the last 10 minutes every minute, so points up to 10 min late still count. */
const CQ_RESAMPLE_FOR = '10m';

const q = (s: string) => influxEscape.quoted(s);
const duration = (ms: number) => `${Math.max(1, Math.round(ms / 3600_000))}h`;
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function rollupSelect(db: string): string {
  return (
    `SELECT min("value") AS "min", max("value") AS "max", sum("value") AS "sum", count("value") AS "count" ` +
    `INTO ${q(db)}.${q(ROLLUP_RP)}.${q(ROLLUP_MEASUREMENT)} FROM ${q(db)}.${q(RAW_RP)}."reading"`
  );
}

/**
 * Creates what is missing and brings retention durations to the configured values. Throws when
 * InfluxDB cannot be reached; a CQ that cannot be created is logged (raw writes matter more).
 */
export async function ensureSchema(
  influx: InfluxDB,
  db: string,
  retention: { rawMs: number; rollupMs: number },
  log: Logger,
): Promise<void> {
  const names = await influx.getDatabaseNames();
  if (!names.includes(db)) await influx.createDatabase(db);
  const rps = await influx.showRetentionPolicies(db);
  for (const rp of [
    { name: RAW_RP, duration: duration(retention.rawMs), isDefault: true },
    { name: ROLLUP_RP, duration: duration(retention.rollupMs), isDefault: false },
  ]) {
    const o = { database: db, duration: rp.duration, replication: 1, isDefault: rp.isDefault };
    if (rps.some((r) => r.name === rp.name)) await influx.alterRetentionPolicy(rp.name, o);
    else await influx.createRetentionPolicy(rp.name, o);
  }
  try {
    const cqs = await influx.showContinousQueries(db);
    if (!cqs.some((c) => c.name === ROLLUP_MEASUREMENT)) {
      await influx.createContinuousQuery(
        ROLLUP_MEASUREMENT,
        `${rollupSelect(db)} GROUP BY time(1m), *`,
        db,
        `RESAMPLE EVERY 1m FOR ${CQ_RESAMPLE_FOR}`,
      );
    }
  } catch (err) {
    log.error({ err: errText(err) }, 'timeseries: cannot create the rollup continuous query');
  }
}

/** Recomputes the rollups of whole minutes in [fromMs, toMs) from raw points. */
export async function backfillRollups(influx: InfluxDB, db: string, fromMs: number, toMs: number): Promise<void> {
  await influx.query(`${rollupSelect(db)} WHERE time >= ${fromMs}ms AND time < ${toMs}ms GROUP BY time(1m), *`);
}

/**
 * Statements for one sensor's buckets: rollups for [from, split), raw points for [split, to).
 * Buckets are epoch-aligned by InfluxDB, so both answers merge bucket by bucket.
 */
export function readingsStatements(
  db: string,
  sensorId: string,
  from: number,
  split: number,
  to: number,
  step: number,
): string[] {
  const sensor = `"sensorId" = ${influxEscape.stringLit(sensorId)}`;
  const out: string[] = [];
  if (split > from) {
    out.push(
      `SELECT min("min"), max("max"), sum("sum"), sum("count") FROM ${q(db)}.${q(ROLLUP_RP)}.${q(ROLLUP_MEASUREMENT)} ` +
        `WHERE ${sensor} AND time >= ${from}ms AND time < ${split}ms GROUP BY time(${step}ms) fill(none)`,
    );
  }
  if (to > split) {
    out.push(
      `SELECT min("value"), max("value"), sum("value"), count("value") FROM ${q(db)}.${q(RAW_RP)}."reading" ` +
        `WHERE ${sensor} AND time >= ${split}ms AND time < ${to}ms GROUP BY time(${step}ms) fill(none)`,
    );
  }
  return out;
}
