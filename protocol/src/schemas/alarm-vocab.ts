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
  'fire-suspected',
] as const;
