/** Messages between the anomaly detector (detector.ts) and its worker thread (worker.ts). */
import type { SeriesModelOptions } from './series-model.js';

export interface WorkerInit {
  tensorflow: boolean;
  series?: Partial<SeriesModelOptions>;
  maxSensors?: number;
  batch: number;
  /** Nice value the worker thread gives itself (0 = the process's own). */
  nice: number;
}

export interface WorkerReady {
  type: 'ready';
  backend: string;
  nodeUnavailable?: string;
  niced: boolean;
}

/** One group per sensor: its sampled readings' values in arrival order. */
export interface ScoreRequest {
  id: number;
  sensorIds: string[];
  values: Float64Array[];
}

export type ScoreReply =
  | { type: 'scores'; id: number; scores: Float64Array[] }
  | { type: 'error'; id: number; message: string };
