/**
 * What detection must not forget across a center restart (issue 15, audit gaps):
 * - every known sensor is watched from start, so one that never reports again goes stale after
 *   3 intervals, and its `config` warning (unknown gas) is raised;
 * - agents stored offline keep their sensors out of stale judgement (comm-loss says why);
 * - sensors out of service stay out of service;
 * - TWA/STEL windows are rebuilt from the time-series store's 1-minute aggregates of the last
 *   8 hours, so a worker's exposure is not reset to zero by a restart. Each minute's mean is
 *   held for the whole minute: for a sensor that reported only part of a minute this counts
 *   more exposure than the live sample-and-hold would (the safe side for an exposure limit).
 * - issue 19, a site taken over: delays, rate-of-rise windows and stale watches resume from the
 *   sensors' recent stored readings (restore-recent.ts).
 * Runs once in IngestPipeline.start(), before any reading is handled, and for a cluster member
 * at each site it takes (IngestPipeline.takeSite), before the site's consumer starts.
 */
import { isExposureType, TWA_WINDOW_MS } from '@gwanje/protocol';
import type { Logger } from '../logger.js';
import type { TimeSeriesStore } from '../store/types.js';
import type { ReadingSink } from './pipeline.js';
import { restoreRecent } from './restore-recent.js';
import type { KnownSensor } from './sensors.js';

const STEP_MS = 60_000;

export interface RestoreDeps {
  alarms: ReadingSink;
  sensors: KnownSensor[];
  offlineAgents: string[];
  timeseries: Pick<TimeSeriesStore, 'query' | 'raw'>;
  now: () => number;
  log: Logger;
  /** Issue 19: a site taken over from another instance (its recent readings are replayed too). */
  takeover?: boolean;
}

const hasExposureRules = (k: KnownSensor): boolean => k.ctx.rules.some((r) => r.enabled && isExposureType(r.type));

export async function restoreDetection(d: RestoreDeps): Promise<void> {
  const { alarms, log } = d;
  for (const agentId of d.offlineAgents) alarms.restoreAgentOffline?.(agentId);
  for (const k of d.sensors) {
    // Decoded by the store: a corrupt mark reads as absent (logged, counted), so the sensor is in
    // service; a gas sensor is not silenced by a damaged row.
    const oos = k.row.outOfService;
    if (oos) await alarms.sourceService?.(k.row.sensorId, { outOfService: true, ...oos });
    alarms.sensorConfigured?.(k.ctx, k.lastTs);
  }
  const t0 = performance.now();
  const recent = d.takeover ? await restoreRecent(d) : 0;
  const recentMs = Math.round(performance.now() - t0);
  if (!alarms.restoreExposure) return;
  const now = d.now();
  // Whole minutes, so the store answers from its 1-minute rollups.
  const to = Math.ceil(now / STEP_MS) * STEP_MS;
  const from = to - TWA_WINDOW_MS;
  let rebuilt = 0;
  for (const k of d.sensors) {
    if (!hasExposureRules(k) || k.lastTs === undefined || k.lastTs < from) continue;
    try {
      const points = await d.timeseries.query(k.row.sensorId, from, to, STEP_MS);
      alarms.restoreExposure(
        k.ctx,
        points.map(([ts, , mean]) => [ts, mean] as [number, number]),
        STEP_MS,
      );
      rebuilt++;
    } catch (err) {
      log.error({ sensorId: k.row.sensorId, err: (err as Error).message }, 'ingest: exposure history not restored');
    }
  }
  // recentMs: what the replay adds to a takeover before the site's consumer starts.
  log.info({ sensors: d.sensors.length, exposure: rebuilt, recent, recentMs }, 'ingest: detection state restored');
}
