/**
 * How a sensor is shown by the API: CONTRACT's SensorView plus (additive) its configuration as
 * the center knows it (issue 15: one source of truth, shown in the console): range and who set
 * it, the agent's calibration, rules and config version, the admin's overrides, the rules
 * detection actually runs (each with where it came from), warnings and out-of-service.
 */
import type { RuleOverride, SensorConfigView, SensorView } from '@gwanje/protocol';
import { contextOf } from '../../ingest/sensors.js';
import type { SensorRow } from '../../store/types.js';

export function sensorView(r: SensorRow): SensorView & { name?: string } {
  const v: SensorView & { name?: string } = {
    sensorId: r.sensorId,
    siteId: r.siteId,
    agentId: r.agentId,
    metric: r.metric,
    unit: r.unit,
    state: r.outOfService ? 'out-of-service' : r.state,
  };
  if (r.gas !== null) v.gas = r.gas;
  if (r.name !== null) v.name = r.name;
  if (r.lastValue !== null && r.lastTs !== null) v.last = { value: r.lastValue, ts: r.lastTs };
  return v;
}

/** The sensor view plus its admin settings and effective configuration (additive to CONTRACT's SensorView). */
export function sensorAdminView(r: SensorRow): SensorConfigView {
  // JSON columns arrive decoded from the store (a corrupt one reads as absent; the next write replaces it).
  const admin: RuleOverride[] = r.rules ?? [];
  const agent: RuleOverride[] = r.agentRules ?? [];
  const ctx = contextOf(r);
  const origin = (type: string): 'admin' | 'agent' | 'default' =>
    admin.some((o) => o.type === type) ? 'admin' : agent.some((o) => o.type === type) ? 'agent' : 'default';
  return {
    ...sensorView(r),
    rules: admin,
    agentRules: agent,
    cameras: r.cameras ?? [],
    ...(ctx.range ? { range: ctx.range } : {}),
    ...(ctx.range && (r.rangeSource === 'agent' || r.rangeSource === 'admin') ? { rangeSource: r.rangeSource } : {}),
    ...(r.calibration ? { calibration: r.calibration } : {}),
    ...(r.intervalMs != null ? { intervalMs: r.intervalMs } : {}),
    ...(r.configVersion ? { configVersion: r.configVersion } : {}),
    ...(r.reportedAt != null ? { reportedAt: r.reportedAt } : {}),
    ...(r.outOfService ? { outOfService: r.outOfService } : {}),
    effectiveRules: ctx.rules.map((rule) => ({ ...rule, origin: origin(rule.type) })),
    warnings: ctx.warnings ?? [],
  };
}
