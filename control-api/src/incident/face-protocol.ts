/** Messages between the face masker (main thread) and its detector worker (face-worker.ts). */

export type FaceModel = 'tiny' | 'ssd';

/** A face box as fractions of the frame (0..1), so it applies at any resolution. */
export interface FaceBox {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

export interface FaceRequest {
  id: number;
  width: number;
  height: number;
  /** rgb24 bytes, transferred. */
  data: ArrayBuffer;
  minConfidence: number;
  /** Detectors to run (boxes of all are returned): Tiny Face Detector, SSD MobileNet v1. */
  models: FaceModel[];
}

export type FaceWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'faces'; id: number; boxes: FaceBox[] }
  | { type: 'error'; id: number; message: string };
