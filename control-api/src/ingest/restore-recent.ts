/**
 * What a site's new owner reads back at a takeover (issue 19) besides standing alarms and TWA/STEL:
 * each sensor's stored readings of the last few minutes, replayed into detection so that
 * - an on-delay the killed owner had running (60 %LEL held 0.8 s of a 1 s delay) completes when it
 *   would have there, not a whole delay after the takeover;
 * - an off-delay in progress goes on from where it was (the alarm does not clear at once, nor
 *   stand a whole delay longer);
 * - the rate-of-rise window holds the last minute's samples again;
 * - the stale watch counts the silence that began at the old owner (a sensor silent for 80 % of its
 *   limit goes stale on time), with the reporting interval learned from the stored readings.
 *
 * Why stored readings and not state the owner writes as it changes: the time series already holds
 * every reading the broker handed over (a reading is acknowledged only once written, durable.ts),
 * and any reading not yet written is redelivered to the new owner by the site's persistent
 * session, so the replay plus the redelivery is the whole input the old owner judged. Writing
 * delay state to PostgreSQL on every change would add a fenced write to the ingest hot path for
 * state that those readings rebuild exactly.
 */
import { evaluationOf, ROR_WINDOW_MS, STALE_INTERVALS } from '@gwanje/protocol';
import type { Logger } from '../logger.js';
import type { RawReading, TimeSeriesStore } from '../store/types.js';
import type { ReadingSink } from './pipeline.js';
import type { KnownSensor } from './sensors.js';

/** Reporting interval assumed when none is known (detection's default for stale). */
const DEFAULT_INTERVAL_MS = 60_000;
/** Beyond the longest delay or window: clock skew between agent and center, and the takeover itself. */
const MARGIN_MS = 60_000;
/** Never more than this per sensor (a 15-minute on-delay is not a gas rule). */
const MAX_WINDOW_MS = 15 * 60_000;

/** How far back a sensor's readings still matter to its delays, rate window and stale watch. */
export function recentWindowMs(k: KnownSensor): number {
  let longest = 0;
  for (const r of k.ctx.rules) {
    if (!r.enabled) continue;
    const ev = evaluationOf(r.type);
    if (ev === 'rate') longest = Math.max(longest, r.windowMs ?? ROR_WINDOW_MS);
    if (ev === 'stale')
      longest = Math.max(longest, (r.setpoint ?? STALE_INTERVALS) * (k.ctx.intervalMs ?? DEFAULT_INTERVAL_MS));
    longest = Math.max(longest, r.onDelayMs ?? 0, r.offDelayMs ?? 0);
  }
  return Math.min(MAX_WINDOW_MS, longest + MARGIN_MS);
}

export interface RecentDeps {
  alarms: Pick<ReadingSink, 'restoreRecent'>;
  sensors: KnownSensor[];
  timeseries: Pick<TimeSeriesStore, 'raw'>;
  now: () => number;
  log: Logger;
}

/** Parallel queries at a takeover: a site's sensors are read together, not one round trip after another. */
const PARALLEL = 8;

/** Replays each sensor's recent stored readings into detection; the number of sensors resumed. */
export async function restoreRecent(d: RecentDeps): Promise<number> {
  const { alarms } = d;
  if (!alarms.restoreRecent || !d.timeseries.raw) return 0;
  const now = d.now();
  let resumed = 0;
  for (let i = 0; i < d.sensors.length; i += PARALLEL) {
    const group = d.sensors.slice(i, i + PARALLEL);
    const read = await Promise.all(group.map((k) => recentOf(d, k, now)));
    for (const [j, k] of group.entries()) {
      const samples = read[j];
      if (!samples) continue;
      const n = samples.length;
      // As SensorRegistry.observe learns it: the old owner knew the interval from the same readings.
      if (k.ctx.intervalMs === undefined && n >= 2)
        k.ctx.intervalMs = Math.max(100, samples[n - 1].ts - samples[n - 2].ts);
      alarms.restoreRecent(k.ctx, samples, n > 0 ? samples[n - 1].ts : k.lastTs);
      if (n > 0) resumed++;
    }
  }
  return resumed;
}

/** A sensor's stored readings of its recent window, oldest first; undefined when the store failed. */
async function recentOf(d: RecentDeps, k: KnownSensor, now: number): Promise<RawReading[] | undefined> {
  const raw = d.timeseries.raw as NonNullable<TimeSeriesStore['raw']>;
  const samples: RawReading[] = [];
  try {
    for await (const batch of raw.call(d.timeseries, k.row.sensorId, now - recentWindowMs(k), now + MARGIN_MS))
      samples.push(...batch);
  } catch (err) {
    d.log.error({ sensorId: k.row.sensorId, err: (err as Error).message }, 'ingest: recent readings not restored');
    return undefined;
  }
  return samples.sort((x, y) => x.ts - y.ts);
}
