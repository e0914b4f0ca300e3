/**
 * Issue 19, readings counted once around a handover. The dead owner of a site may have stored a
 * message's readings and died before its PUBACK left (acks wait for the store, site-consumer.ts):
 * the broker redelivers that message to the next owner with DUP set (MQTT 5 section 3.3.1.1), and
 * the seqs and newest timestamps the dead owner persisted (once a second) may not cover it yet.
 * InfluxDB would keep one point per series and time, but gwanje_readings_total, detection (TWA,
 * rate of rise) and the seq state would count it twice.
 *
 * So the new owner reads, before it resumes the site's session, which points of the site the store
 * holds from the last minutes (`recentKeys`), and a reading of a redelivered message found there
 * is skipped as already stored. Redelivered messages come first on a resumed session (MQTT 5
 * section 4.4); the first message that is not a redelivery ends the window and the set is dropped.
 */
import type { TimeSeriesStore } from '../store/types.js';

/** How far back the new owner looks: far beyond the seconds an ack waits for its readings. */
export const REDELIVERY_WINDOW_MS = 10 * 60_000;

export class RedeliveryWindow {
  private readonly bySite = new Map<string, Set<string>>();

  /** Reads what the store holds of the site's recent points (nothing when the store cannot say). */
  async load(siteId: string, store: Pick<TimeSeriesStore, 'recentKeys'>, now: number): Promise<void> {
    const keys = await store.recentKeys?.(siteId, now - REDELIVERY_WINDOW_MS);
    if (keys && keys.size > 0) this.bySite.set(siteId, keys);
    else this.bySite.delete(siteId);
  }

  /** A message of the site arrived; a first one that is not a redelivery closes the window. */
  message(siteId: string, redelivered: boolean): Set<string> | undefined {
    if (this.bySite.size === 0) return undefined; // the hot path: no takeover in progress
    if (!redelivered) {
      this.bySite.delete(siteId);
      return undefined;
    }
    return this.bySite.get(siteId);
  }
}

export const readingKey = (sensorId: string, ts: number): string => `${sensorId} ${ts}`;
