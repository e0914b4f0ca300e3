/**
 * The alarm vocabulary as plain constants, free of TypeBox so the console can import it without
 * pulling the schema library into its bundle. schemas/alarm.ts builds the schemas from these.
 */
export const ALARM_STATES = ['unack', 'acked', 'rtn-unack', 'latched', 'normal', 'shelved', 'out-of-service'] as const;
export const ALARM_TYPES = [
  'gas-low',
  'gas-high',
  'gas-stel',
  'gas-twa',
  'o2-low',
  'o2-high',
  'over-range',
  'flame',
  'smoke',
  'temperature-high',
  'rate-of-rise',
  'sensor-fault',
  'stale',
  'comm-loss',
  'camera-loss',
  'anomaly',
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
