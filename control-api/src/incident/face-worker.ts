/**
 * The face detector's worker thread (issue 21): owns tfjs (wasm backend; the .wasm files ship in
 * @tensorflow/tfjs-backend-wasm) and face-api's SSD MobileNet v1 face detector, whose weights
 * ship inside the @vladmandic/face-api npm package (nothing is downloaded), with its Tiny Face
 * Detector and SSD MobileNet v1: masking uses both (each finds faces the other misses). One model call takes
 * ~0.1-0.5 s on this class of machine: off the main event loop, at low priority, so the alarm
 * path is never held up by an export.
 */
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { FaceRequest, FaceWorkerMessage } from './face-protocol.js';

const port = parentPort;
if (!port) throw new Error('faces: face-worker.ts runs as a worker thread');
try {
  setPriority(0, 10);
} catch (err) {
  // Not permitted here: the worker runs at the process's priority.
  void err;
}

const require = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs');
type FaceApi = typeof import('@vladmandic/face-api');

try {
  const tf = require('@tensorflow/tfjs') as Tf;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('faces: the tfjs wasm backend failed to initialise');
  await tf.ready();
  const models = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.tinyFaceDetector.loadFromDisk(models);
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  port.postMessage({ type: 'ready' } satisfies FaceWorkerMessage);
  port.on('message', async (m: FaceRequest) => {
    try {
      const input = tf.tensor3d(new Uint8Array(m.data), [m.height, m.width, 3], 'int32');
      try {
        const found = [];
        if (m.models.includes('tiny'))
          found.push(
            ...(await faceapi.detectAllFaces(
              input as unknown as Parameters<FaceApi['detectAllFaces']>[0],
              new faceapi.TinyFaceDetectorOptions({ scoreThreshold: m.minConfidence, inputSize: 416 }),
            )),
          );
        if (m.models.includes('ssd'))
          found.push(
            ...(await faceapi.detectAllFaces(
              input as unknown as Parameters<FaceApi['detectAllFaces']>[0],
              new faceapi.SsdMobilenetv1Options({ minConfidence: m.minConfidence, maxResults: 100 }),
            )),
          );
        const boxes = found.map((d) => ({
          x: d.box.x / m.width,
          y: d.box.y / m.height,
          w: d.box.width / m.width,
          h: d.box.height / m.height,
          score: d.score,
        }));
        port.postMessage({ type: 'faces', id: m.id, boxes } satisfies FaceWorkerMessage);
      } finally {
        input.dispose();
      }
    } catch (err) {
      port.postMessage({ type: 'error', id: m.id, message: (err as Error).message } satisfies FaceWorkerMessage);
    }
  });
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message } satisfies FaceWorkerMessage);
}
