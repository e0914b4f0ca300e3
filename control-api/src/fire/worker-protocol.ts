/** Messages between FireWatch (main thread) and its detector worker (worker.ts). */
import type { SmokeStep, TrackerStep } from '@gwanje/vision';

export interface FireWorkerInit {
  /** Nice value of the worker thread (Linux): the alarm path comes first. */
  nice: number;
  /** Head weights file; default the committed vision/model/fire-head.json. */
  headPath?: string;
}

export type FireWorkerReady =
  | { type: 'ready'; threshold: number; niced: boolean }
  | { type: 'failed'; message: string };

export interface FrameRequest {
  type: 'frame';
  cameraId: string;
  width: number;
  height: number;
  /** rgb24 bytes, transferred. */
  data: ArrayBuffer;
  at: number;
}

export interface ForgetRequest {
  type: 'forget';
  cameraId: string;
}

export type FireWorkerRequest = FrameRequest | ForgetRequest;

export type FireWorkerReply =
  /** `ms`: time the scoring took on the worker thread; `smoke`: the smoke tracker on the same frame. */
  | { type: 'step'; cameraId: string; step: TrackerStep; smoke: SmokeStep; ms: number }
  | { type: 'error'; cameraId: string; message: string };
