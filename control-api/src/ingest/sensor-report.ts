/**
 * How an agent's `sensors` report (issue 15) updates the center's sensor rows. Pure.
 *
 * The agent's signed configuration is the truth for what it declares: metric, gas, unit, the
 * measuring range, calibration, reporting interval and its rule overrides (kept apart from the
 * admin's overrides, which layer on top). A range an admin set stays while the agent reports
 * none (a discovered sensor); once the agent reports one, the agent's wins. A sensor first
 * registered by another agent or site is not moved (CONTRACT "A camera or sensor belongs to
 * the site and agent that first registered it").
 */
import type { ReportedSensor } from '@gwanje/protocol';
import type { SensorRow } from '../store/types.js';
import { newSensorRow } from './sensors.js';

export type ReportOutcome = { row: SensorRow } | { foreign: true };

export function reportedRow(
  existing: SensorRow | undefined,
  s: ReportedSensor,
  o: { siteId: string; agentId: string; configVersion?: string; now: number },
): ReportOutcome {
  if (existing && (existing.siteId !== o.siteId || existing.agentId !== o.agentId)) return { foreign: true };
  const base = existing ?? newSensorRow({ ...s, siteId: o.siteId, agentId: o.agentId }, 'unknown');
  const row: SensorRow = {
    ...base,
    metric: s.metric,
    gas: s.gas ?? null,
    unit: s.unit,
    name: base.name ?? s.name ?? null,
    intervalMs: s.intervalMs ?? base.intervalMs,
    calibration: s.calibration ?? null,
    agentRules: s.rules && s.rules.length > 0 ? s.rules : null,
    configVersion: o.configVersion ?? null,
    reportedAt: o.now,
  };
  if (s.range) {
    row.rangeMin = s.range.min;
    row.rangeMax = s.range.max;
    row.rangeSource = 'agent';
  } else if (base.rangeSource !== 'admin') {
    row.rangeMin = null;
    row.rangeMax = null;
    row.rangeSource = null;
  }
  return { row };
}
