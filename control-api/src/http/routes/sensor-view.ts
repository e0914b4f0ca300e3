/** How a sensor is shown by the API: CONTRACT's SensorView plus (additive) its rule overrides and camera links. */
import type { RuleOverride } from '@gwanje/firmware-config';
import type { SensorView } from '@gwanje/protocol';
import { cameraLinksOf } from '../../ingest/sensors.js';
import type { SensorRow } from '../../store/types.js';

export function sensorView(r: SensorRow): SensorView & { name?: string } {
  const v: SensorView & { name?: string } = {
    sensorId: r.sensorId,
    siteId: r.siteId,
    agentId: r.agentId,
    metric: r.metric,
    unit: r.unit,
    state: r.state,
  };
  if (r.gas !== null) v.gas = r.gas;
  if (r.name !== null) v.name = r.name;
  if (r.lastValue !== null && r.lastTs !== null) v.last = { value: r.lastValue, ts: r.lastTs };
  return v;
}

export function jsonArray(raw: string | null): unknown[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v : [];
  } catch {
    // A malformed stored column shows as "no overrides"; the next save rewrites it.
    return [];
  }
}

/** Camera links as stored: `[{cameraId, preset?}]`, or bare ids from older rows. */
export const cameraLinks = cameraLinksOf;

/** The sensor view plus its admin settings (additive to CONTRACT's SensorView). */
export const sensorAdminView = (r: SensorRow) => ({
  ...sensorView(r),
  rules: jsonArray(r.rules) as RuleOverride[],
  cameras: cameraLinks(r.cameras),
});
