/** ML: streaming anomaly detection for sensor series, its engine plug-in and the NAB scorer. */
export {
  ContextNoveltyModel,
  DEFAULT_NOVELTY,
  type NoveltyExplanation,
  type NoveltyOptions,
  type NoveltyReason,
  STUCK_SCORE,
} from './context-novelty.js';
export {
  AnomalyDetector,
  type AnomalyDetectorOptions,
  createAnomalyDetector,
  DEFAULT_THRESHOLD,
} from './detector.js';
export * from './nab-score.js';
export { operatingRange } from './operating-range.js';
export { type ScorerOptions, StreamingAnomalyScorer, scoreSeries } from './scorer.js';
export { SuccessorTable } from './successor-table.js';
