/**
 * Chooses the time-series backend: InfluxDB 1.x when GWANJE_INFLUX_URL is set, else the embedded
 * store under `${dataDir}/timeseries/`. Both implement TimeSeriesStore (types.ts).
 */
import type { Logger } from 'pino';
import { EmbeddedTimeSeriesStore } from './timeseries-embedded.js';
import { InfluxTimeSeriesStore } from './timeseries-influx.js';
import type { TimeSeriesStore } from './types.js';

export interface TimeSeriesOptions {
  influxUrl?: string;
  /** InfluxDB database name (default `gwanje`). */
  database?: string;
  dataDir: string;
  log: Logger;
  /** InfluxDB outage buffer: memory hard cap in points (default 2,000,000, reached only without a spool). */
  maxBuffered?: number;
  /** InfluxDB outage spool (`${dataDir}/influx-spool/<database>/`) byte cap; default min(2 GiB, 25% of free disk). */
  spoolMaxBytes?: number;
  /** Memory above this many points spills to the spool even while InfluxDB answers (default 100,000). */
  spillAfterPoints?: number;
  rawRetentionMs?: number;
  rollupRetentionMs?: number;
  now?: () => number;
}

export function createTimeSeriesStore(o: TimeSeriesOptions): TimeSeriesStore {
  if (o.influxUrl?.trim()) {
    return new InfluxTimeSeriesStore({
      url: o.influxUrl.trim(),
      database: o.database,
      log: o.log,
      dataDir: o.dataDir,
      maxBuffered: o.maxBuffered,
      spoolMaxBytes: o.spoolMaxBytes,
      spillAfterPoints: o.spillAfterPoints,
      rawRetentionMs: o.rawRetentionMs,
      rollupRetentionMs: o.rollupRetentionMs,
      now: o.now,
    });
  }
  return new EmbeddedTimeSeriesStore({
    dataDir: o.dataDir,
    log: o.log,
    rawRetentionMs: o.rawRetentionMs,
    rollupRetentionMs: o.rollupRetentionMs,
    now: o.now,
  });
}
