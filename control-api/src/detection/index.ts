/** Detection: pure rules, detectors, the ISA-18.2 alarm state machine and EEMUA 191 KPIs. */
export { act } from './alarms/actions.js';
export { ChatterTracker } from './alarms/chattering.js';
export { FloodTracker } from './alarms/flood.js';
export { AlarmStateMachine, alarmKey, type StateMachineOptions } from './alarms/state-machine.js';
export { CLEARED, Debouncer, RAISED, UNCHANGED } from './detectors/debounce.js';
export { FaultDetector } from './detectors/fault.js';
export { type AdvisoryDetector, type AnomalyScorer, MlDetector, type MlDetectorOptions } from './detectors/ml.js';
export { RateOfRiseDetector } from './detectors/rate-of-rise.js';
export { StaleDetector } from './detectors/stale.js';
export { ThresholdDetector } from './detectors/threshold.js';
export { TimeWeightedWindow } from './detectors/time-window.js';
export { TwaStelDetector } from './detectors/twa-stel.js';
export { DetectionEngine, type DetectionEngineOptions } from './engine.js';
export { COMBUSTIBLE_GASES, TOXIC_LIMITS, type ToxicLimit, toxicLimit } from './gases.js';
export { type ChatterSource, computeKpis, type KpiOptions, type Kpis } from './kpis.js';
export {
  defaultRules,
  ROR_WINDOW_MS,
  resolveRules,
  type SensorDescription,
  SPECIAL_RULE_TYPES,
  STALE_INTERVALS,
  STEL_WINDOW_MS,
  TWA_WINDOW_MS,
} from './rules.js';
export * from './types.js';
