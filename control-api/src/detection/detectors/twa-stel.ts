/**
 * Server-computed exposure averages for toxic gases: gas-twa (8-hour time-weighted average) and
 * gas-stel (15-minute short-term average), per the Korean exposure-limit notice (see gases.ts).
 * The averages move with time even without new readings, so every tick re-evaluates them.
 */
import { STALE_INTERVALS, STEL_WINDOW_MS, TWA_WINDOW_MS } from '../rules.js';
import type { Condition, DetectionReading, Detector, SensorContext } from '../types.js';
import { CLEARED, type Debouncer, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { type SensorRules, SensorRuleTable } from './sensor-clock.js';
import { TimeWeightedWindow } from './time-window.js';

const DEFAULT_INTERVAL_MS = 60_000;

export class TwaStelDetector implements Detector {
  readonly name = 'twa-stel';
  private readonly table = new SensorRuleTable((r) => r.type === 'gas-twa' || r.type === 'gas-stel');
  private readonly windows = new Map<SensorRules, TimeWeightedWindow[]>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    if (reading.quality !== 'good' || reading.fault !== undefined) return NO_CONDITIONS;
    const s = this.table.enter(reading, ctx, now);
    if (s.deb.length === 0) return NO_CONDITIONS;
    const win = this.windowsOf(s);
    if (reading.ts > s.lastTs) s.lastTs = reading.ts;
    let out: Condition[] | undefined;
    for (let i = 0; i < s.deb.length; i++) {
      win[i].add(reading.ts, reading.value);
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

  private windowsOf(s: SensorRules): TimeWeightedWindow[] {
    let win = this.windows.get(s);
    if (!win) {
      const hold = STALE_INTERVALS * (s.ctx.intervalMs ?? DEFAULT_INTERVAL_MS);
      win = s.deb.map(
        (d) =>
          new TimeWeightedWindow(d.rule.windowMs ?? (d.rule.type === 'gas-twa' ? TWA_WINDOW_MS : STEL_WINDOW_MS), hold),
      );
      this.windows.set(s, win);
    }
    return win;
  }

  private judge(s: SensorRules, d: Debouncer, w: TimeWeightedWindow, t: number): Condition | undefined {
    const avg = w.average(t);
    const r = d.step(avg, t);
    if (r !== RAISED && r !== CLEARED) return undefined;
    const label = `${s.ctx.gas ?? s.ctx.metric} ${d.rule.type === 'gas-twa' ? '8 h TWA' : '15 min STEL'}`;
    return sensorCondition(s.ctx, d.rule, r === RAISED, Math.round(avg * 1000) / 1000, s.lastTs, label);
  }
}
