/**
 * The JSON text columns of `sensors` and `cameras`, decoded when a row is read and encoded when
 * one is written, so nothing outside the store parses them (issue 18). Shapes are protocol's:
 * rule overrides and calibration as agents report them, camera links, the out-of-service mark,
 * camera profiles.
 */
import { OutOfServiceMark, ReportedCalibration, ReportedRuleOverride, SensorCameraLink } from '@gwanje/protocol';
import { Type } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import { encodeJson, type StoredJson } from '../stored-json.js';
import type { CamerasTable, SensorsTable } from '../tables.js';
import type { CameraRow, SensorRow } from '../types.js';
import { bool, int } from './scope.js';

const RuleList = Type.Array(ReportedRuleOverride);
/** Older rows hold bare camera ids; both forms read as links. */
const StoredCameraLinks = Type.Array(Type.Union([Type.String(), SensorCameraLink]));
/** CameraInfo.profiles, loosely: an ONVIF device's own profile may lack a token (stored as ''). */
const Profiles = Type.Array(
  Type.Object({ token: Type.String(), width: Type.Number(), height: Type.Number(), codec: Type.String() }),
);

/** A sensor as written: the row's typed fields, encoded here (last value and state aside). */
export type SensorColumns = Omit<SensorRow, 'lastValue' | 'lastTs' | 'state'>;

export function decodeSensor(json: StoredJson, r: Selectable<SensorsTable>): SensorRow {
  const at = (column: string) => ({ table: 'sensors', column, key: r.sensorId });
  const cameras = json.decode(StoredCameraLinks, r.cameras, at('cameras'));
  return {
    ...r,
    metric: r.metric as SensorRow['metric'],
    unit: r.unit as SensorRow['unit'],
    rules: json.decode(RuleList, r.rules, at('rules')) ?? null,
    cameras: cameras ? cameras.map((c) => (typeof c === 'string' ? { cameraId: c } : c)) : null,
    calibration: json.decode(ReportedCalibration, r.calibration, at('calibration')) ?? null,
    agentRules: json.decode(RuleList, r.agentRules, at('agent_rules')) ?? null,
    outOfService: json.decode(OutOfServiceMark, r.outOfService, at('out_of_service')) ?? null,
  };
}

/** The JSON columns of a sensor write; fields not given stay out (an upsert keeps them). */
export function encodeSensor<T extends Partial<SensorColumns>>(s: T) {
  const { rules, cameras, calibration, agentRules, outOfService, ...rest } = s;
  return {
    ...rest,
    ...(rules !== undefined && { rules: encodeJson(rules) }),
    ...(cameras !== undefined && { cameras: encodeJson(cameras) }),
    ...(calibration !== undefined && { calibration: encodeJson(calibration) }),
    ...(agentRules !== undefined && { agentRules: encodeJson(agentRules) }),
    ...(outOfService !== undefined && { outOfService: encodeJson(outOfService) }),
  };
}

export function decodeCamera(json: StoredJson, r: Selectable<CamerasTable>): CameraRow {
  return {
    ...r,
    ptz: bool(r.ptz),
    profiles: json.decode(Profiles, r.profiles, { table: 'cameras', column: 'profiles', key: r.cameraId }) ?? [],
    state: r.state as CameraRow['state'],
  };
}

/** A camera's columns as written: the boolean and the profiles encoded. */
export function encodeCamera<T extends { ptz: boolean; profiles: CameraRow['profiles'] }>(
  c: T,
): Omit<T, 'ptz' | 'profiles'> & { ptz: number; profiles: string } {
  return { ...c, ptz: int(c.ptz), profiles: JSON.stringify(c.profiles) };
}
