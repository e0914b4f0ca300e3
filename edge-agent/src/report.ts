/**
 * The agent's `sensors` report (issue 15; retained on `gwanje/v1/{site}/{agent}/sensors`): how
 * the center learns each sensor's range, calibration, reporting interval and rules. Pure. Generic
 * on purpose: a sensor declared in the signed config and one adopted from the field broker
 * (`source: 'discovered'`) are reported the same way.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import type { ReportedSensor, SensorReport } from '@gwanje/protocol';
import { DEFAULT_INTERVAL_MS } from './normalize.js';

export function reportedSensor(s: SensorConfig, source: 'config' | 'discovered'): ReportedSensor {
  const r: ReportedSensor = {
    sensorId: s.sensorId,
    metric: s.metric,
    unit: s.unit,
    // The interval normalization judges staleness by, so the center's stale watch agrees.
    intervalMs: s.intervalMs ?? DEFAULT_INTERVAL_MS,
    source,
  };
  if (s.gas !== undefined) r.gas = s.gas;
  if (s.name !== undefined) r.name = s.name;
  if (s.range) r.range = { min: s.range.min, max: s.range.max };
  if (s.calibration) r.calibration = { zero: s.calibration.zero, span: s.calibration.span };
  if (s.rules && s.rules.length > 0) r.rules = s.rules.map((o) => ({ ...o }));
  return r;
}

export function sensorReport(
  agentId: string,
  sensors: ReadonlyArray<{ sensor: SensorConfig; source: 'config' | 'discovered' }>,
  ts: number,
  configVersion?: string,
): SensorReport {
  const report: SensorReport = { agentId, ts, sensors: sensors.map((x) => reportedSensor(x.sensor, x.source)) };
  if (configVersion !== undefined) report.configVersion = configVersion;
  return report;
}
