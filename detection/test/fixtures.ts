/** Shared builders for detection tests: sensors, readings and an engine with counter ids. */

import type { RuleOverride } from '@gwanje/protocol';
import { resolveRules } from '@gwanje/protocol';
import { DetectionEngine, type DetectionEngineOptions } from '../src/engine.js';
import type { DetectionReading, SensorContext, Transition } from '../src/types.js';

export const T0 = 1_763_900_000_000;

export function sensor(
  sensorId: string,
  d: { metric: string; gas?: string; unit: string; range?: { min: number; max: number }; intervalMs?: number },
  overrides: RuleOverride[] = [],
): SensorContext {
  return {
    sensorId,
    siteId: 'suwon',
    agentId: 'suwon-agent',
    metric: d.metric,
    gas: d.gas,
    unit: d.unit,
    intervalMs: d.intervalMs ?? 2000,
    range: d.range,
    cameras: ['suwon-cam-1'],
    rules: resolveRules(d, overrides),
  };
}

export const ch4 = (o: RuleOverride[] = []) => sensor('suwon-ch4-1', { metric: 'gas', gas: 'CH4', unit: '%LEL' }, o);
export const co = (o: RuleOverride[] = []) => sensor('suwon-co-1', { metric: 'gas', gas: 'CO', unit: 'ppm' }, o);
export const h2s = () => sensor('suwon-h2s-1', { metric: 'gas', gas: 'H2S', unit: 'ppm' });
export const o2 = () => sensor('suwon-o2-1', { metric: 'gas', gas: 'O2', unit: '%vol' });
export const flame = () => sensor('suwon-flame-1', { metric: 'flame', unit: 'bool' });
export const smoke = () => sensor('suwon-smoke-1', { metric: 'smoke', unit: 'bool' });

export function reading(ctx: SensorContext, ts: number, value: number, extra: Partial<DetectionReading> = {}) {
  const r: DetectionReading = {
    siteId: ctx.siteId,
    agentId: ctx.agentId,
    sensorId: ctx.sensorId,
    metric: ctx.metric as DetectionReading['metric'],
    unit: ctx.unit as DetectionReading['unit'],
    value,
    ts,
    quality: 'good',
    ...extra,
  };
  if (ctx.gas !== undefined) r.gas = ctx.gas;
  return r;
}

export function engine(opts: Partial<DetectionEngineOptions> = {}): DetectionEngine {
  let n = 0;
  return new DetectionEngine({ newId: () => `a${++n}`, ...opts });
}

/**
 * Drives an engine with a script of [msAfterT0, value] readings for one sensor, ticking every
 * `tickMs` in between (readings arrive with no transport delay), and returns every transition.
 */
export function drive(
  e: DetectionEngine,
  ctx: SensorContext,
  script: [number, number][],
  untilMs?: number,
  tickMs = 500,
): Transition[] {
  const out: Transition[] = [];
  const end = untilMs ?? (script.length ? script[script.length - 1][0] : 0);
  let i = 0;
  for (let t = 0; t <= end; t += tickMs) {
    while (i < script.length && script[i][0] <= t) {
      const [at, v] = script[i++];
      out.push(...e.onReading(reading(ctx, T0 + at, v), ctx, T0 + at));
    }
    out.push(...e.tick(T0 + t));
  }
  return out;
}

/** Compact view of transitions: "type:action:toState". */
export const summary = (ts: Transition[]): string[] => ts.map((t) => `${t.alarm.type}:${t.action}:${t.toState}`);

/** Standing alarms as "type=state". */
export const standing = (e: DetectionEngine): string[] =>
  e
    .active()
    .map((a) => `${a.type}=${a.state}`)
    .sort();
