/**
 * The alarm vocabulary as plain constants, free of TypeBox so the console can import it without
 * pulling the schema library into its bundle. schemas/alarm.ts builds the schemas from these.
 */
import { RULE_TYPES } from '../safety/rule-types.js';

export const ALARM_STATES = ['unack', 'acked', 'rtn-unack', 'latched', 'normal', 'shelved', 'out-of-service'] as const;
/**
 * Every per-sensor rule type of the safety table (protocol/src/safety/rule-types.ts, issue 15:
 * one list), then the alarm types no sensor rule raises.
 */
export const ALARM_TYPES = [
  ...RULE_TYPES,
  'comm-loss',
  'camera-loss',
  // Issue 20, the camera-loss family (video/camera-conditions.ts): ONVIF tamper and video loss, a frozen or black picture.
  'camera-tamper',
  'video-loss',
  'camera-frozen',
  'camera-black',
  'anomaly',
  // Issue 15: an admin warning for a sensor the safety table cannot give defaults (unknown gas).
  'config',
  'fire-suspected',
] as const;

/**
 * Why the advisory anomaly model flagged a reading (issue 22), for the console to explain it:
 * a level the sensor never showed, a step between levels never seen after the previous one, a
 * sequence never seen, a magnitude never shown (on a logarithmic scale near the floor), one exact
 * value held too long (a stuck transmitter), one level held far longer than ever before.
 */
export const ANOMALY_REASONS = [
  'new-level',
  'new-transition',
  'new-sequence',
  'new-magnitude',
  'stuck',
  'long-run',
] as const;
