/**
 * Server-computed exposure averages for toxic gases: gas-twa (8-hour time-weighted average) and
 * gas-stel (15-minute short-term average), per the Korean exposure-limit notice (see gases.ts).
 * The averages move with time even without new readings, so every tick re-evaluates them.
 * An over-range reading counts at least at the range top (the exposure is at least that); a
 * fault or stale reading adds nothing. After a center restart `restore()` rebuilds the windows
 * from the stored readings (issue 15), so an 8-hour average does not start again from zero.
 */
import {
  classifyReading,
  defaultWindowMs,
  exposureValue,
  isExposureType,
  STALE_INTERVALS,
  STEL_WINDOW_MS,
} from '@gwanje/protocol';
import type { Condition, DetectionReading, Detector, SensorContext } from '../types.js';
import { CLEARED, type Debouncer, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { type SensorRules, SensorRuleTable } from './sensor-clock.js';
import { TimeWeightedWindow } from './time-window.js';

const DEFAULT_INTERVAL_MS = 60_000;

export class TwaStelDetector implements Detector {
  readonly name = 'twa-stel';
  private readonly table = new SensorRuleTable((r) => isExposureType(r.type));
  private readonly windows = new Map<SensorRules, TimeWeightedWindow[]>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const s = this.table.enter(reading, ctx, now);
    if (s.deb.length === 0) return NO_CONDITIONS;
    const sample = exposureValue(classifyReading(ctx, reading), reading.value, ctx.range);
    if (sample === undefined) return NO_CONDITIONS;
    const win = this.windowsOf(s);
    if (reading.ts > s.lastTs) s.lastTs = reading.ts;
    let out: Condition[] | undefined;
    for (let i = 0; i < s.deb.length; i++) {
      win[i].add(reading.ts, sample);
      const c = this.judge(s, s.deb[i], win[i], s.lastTs);
      if (c) {
        out ??= [];
        out.push(c);
      }
    }
    return out ?? NO_CONDITIONS;
  }

  onTick(now: number): Condition[] {
    const out: Condition[] = [];
    for (const [s, win] of this.windows) {
      if (this.table.sensors.get(s.ctx.sensorId) !== s) {
        this.windows.delete(s); // rules were replaced; the new state has its own windows
        continue;
      }
      const t = this.table.sensorTime(s, now);
      for (let i = 0; i < s.deb.length; i++) {
        const c = this.judge(s, s.deb[i], win[i], t);
        if (c) out.push(c);
      }
    }
    return out;
  }

  /** Current averages of a sensor at center time `now` (for the console and tests). */
  averages(sensorId: string, now: number): Record<string, number> {
    const s = this.table.sensors.get(sensorId);
    const win = s && this.windows.get(s);
    const out: Record<string, number> = {};
    if (!s || !win) return out;
    const t = this.table.sensorTime(s, now);
    for (let i = 0; i < s.deb.length; i++) out[s.deb[i].rule.type] = win[i].average(t);
    return out;
  }

  /**
   * Rebuilds a sensor's windows from stored history after a restart: `points` are
   * [bucketStart, mean] of `stepMs` buckets (the time-series store's aggregates), each held for
   * its bucket. No condition is reported here; the next tick judges the rebuilt averages, so a
   * standing gas-twa alarm restored from the database is confirmed or cleared by real data.
   */
  restore(ctx: SensorContext, points: readonly [number, number][], stepMs: number, now: number): void {
    if (points.length === 0) return;
    const lastTs = points[points.length - 1][0] + stepMs;
    const s = this.table.enter({ ts: Math.min(lastTs, now) } as DetectionReading, ctx, now);
    if (s.deb.length === 0) return;
    const win = this.windowsOf(s);
    // The current bucket is cut at `now` so a reading arriving next is not counted twice.
    for (const w of win) for (const [ts, mean] of points) w.addSegment(ts, Math.min(ts + stepMs, now), mean);
    if (lastTs > s.lastTs) s.lastTs = Math.min(lastTs, now);
    // Until the sensor reports again its clock is taken as the center's.
    s.offset = 0;
  }

  private windowsOf(s: SensorRules): TimeWeightedWindow[] {
    let win = this.windows.get(s);
    if (!win) {
      const hold = STALE_INTERVALS * (s.ctx.intervalMs ?? DEFAULT_INTERVAL_MS);
      win = s.deb.map(
        (d) => new TimeWeightedWindow(d.rule.windowMs ?? defaultWindowMs(d.rule.type) ?? STEL_WINDOW_MS, hold),
      );
      this.windows.set(s, win);
    }
    return win;
  }

  private judge(s: SensorRules, d: Debouncer, w: TimeWeightedWindow, t: number): Condition | undefined {
    const avg = w.average(t);
    const r = d.step(avg, t);
    if (r !== RAISED && r !== CLEARED) return undefined;
    const windowMs = w.windowMs;
    const c = sensorCondition(s.ctx, d.rule, r === RAISED, Math.round(avg * 1000) / 1000, s.lastTs, { windowMs });
    return c;
  }
}
