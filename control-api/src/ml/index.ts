/** ML: streaming anomaly detection for sensor series, its engine plug-in and the NAB scorer. */
export { Autoencoder, type AutoencoderOptions, seededRandom } from './autoencoder.js';
export { type LoadOptions, loadTensorflow, type Tensorflow } from './backend.js';
export {
  AnomalyDetector,
  type AnomalyDetectorOptions,
  createAnomalyDetector,
  DEFAULT_THRESHOLD,
} from './detector.js';
export * from './nab-score.js';
export { type ScorerOptions, StreamingAnomalyScorer, scoreSeries } from './scorer.js';
export { DEFAULT_SERIES_OPTIONS, SeriesModel, type SeriesModelOptions, type WindowModel } from './series-model.js';
export { AnomalyLikelihood, lnNormalTail, normalTail, RollingWindow } from './stats.js';
