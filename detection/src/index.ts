/**
 * Detection: pure detectors, the ISA-18.2 alarm state machine and EEMUA 191 KPIs. The rule table
 * (gases, rule types, defaults) is protocol's safety module: `@gwanje/protocol`.
 */
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
export { DetectionEngine, type DetectionEngineOptions, type RecentSample } from './engine.js';
export {
  type ChatterSource,
  computeKpis,
  computeKpisBySite,
  type KpiOptions,
  type Kpis,
  type SiteKpis,
} from './kpis.js';
export * from './types.js';
