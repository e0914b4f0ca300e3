/**
 * The value span a sensor's anomaly model puts its grid over (pure). NAB gives every detector its
 * file's min and max; a gas sensor's physical counterpart is the band below its first alarm level
 * (issue 22: "gas sensors' physical ranges may be used as NAB's input min/max are"). The
 * threshold rules own everything from there up, so the model spends its resolution where only it
 * can help: leaks ramping up below gas-low, drift, stuck transmitters, noise bursts.
 *
 *  - top: the lowest setpoint of an enabled level rule that alarms high (gas-low, o2-high, ...);
 *  - bottom: the highest setpoint of an enabled level rule that alarms low (o2-low), else 0 for
 *    a concentration (it cannot go below);
 *  - the configured measuring range fills in a missing side; otherwise undefined, and the model
 *    learns a span from its learning period.
 */

import type { SensorContext } from '@gwanje/detection';
import { evaluationOf } from '@gwanje/protocol';

const CONCENTRATION_UNITS: ReadonlySet<string> = new Set(['%LEL', 'ppm', '%vol']);
/**
 * Only rules the safety table evaluates as a level of the value (high/low) bound the grid: stale
 * counts reporting intervals, over-range is the end of the measuring range, TWA/STEL are averages
 * and rate-of-rise a slope.
 */
const isLevel = (type: string): boolean => {
  const ev = evaluationOf(type);
  return ev === 'high' || ev === 'low';
};

export function operatingRange(
  ctx: Pick<SensorContext, 'unit' | 'rules' | 'range'>,
): { min: number; max: number } | undefined {
  let top = Number.POSITIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (const r of ctx.rules) {
    if (!r.enabled || r.windowMs !== undefined || !isLevel(r.type) || !Number.isFinite(r.setpoint)) continue;
    if (r.direction === 'high') top = Math.min(top, r.setpoint);
    else if (r.direction === 'low') bottom = Math.max(bottom, r.setpoint);
  }
  const max = Number.isFinite(top) ? top : ctx.range?.max;
  const min = Number.isFinite(bottom) ? bottom : CONCENTRATION_UNITS.has(ctx.unit) ? 0 : ctx.range?.min;
  if (min === undefined || max === undefined || !(max > min)) return undefined;
  return { min, max };
}
