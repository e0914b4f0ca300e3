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
  /** Outage buffer bound in points (default 2,000,000). */
  maxBuffered?: number;
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
      maxBuffered: o.maxBuffered,
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
