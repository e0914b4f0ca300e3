/**
 * The fire detector's worker thread: owns tfjs, the scorer, and a FireTracker and a SmokeTracker per camera,
 * so a ~20-40 ms model call per frame never holds up MQTT handling and alarm emits on the main
 * event loop. Like the ML worker it lowers its own scheduling priority: on a busy machine the
 * alarm path gets the CPU first.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { FireTracker, frameOf, SmokeTracker } from '@gwanje/vision';
import { loadFireScorer } from '@gwanje/vision/node';
import type { FireWorkerInit, FireWorkerReady, FireWorkerReply, FireWorkerRequest } from './worker-protocol.js';

const init = workerData as FireWorkerInit;
const port = parentPort;
if (!port) throw new Error('fire: worker.ts runs as a worker thread');

let niced = false;
try {
  setPriority(0, init.nice);
  niced = true;
} catch {
  // Not permitted here: the worker runs at the process's priority.
}
const trackers = new Map<string, { fire: FireTracker; smoke: SmokeTracker }>();
try {
  const scorer = await loadFireScorer(init.headPath);
  port.postMessage({ type: 'ready', threshold: scorer.head.threshold, niced } satisfies FireWorkerReady);
  port.on('message', (m: FireWorkerRequest) => {
    if (m.type === 'forget') {
      trackers.delete(m.cameraId);
      return;
    }
    let reply: FireWorkerReply;
    const t0 = performance.now();
    try {
      const frame = frameOf(m.width, m.height, new Uint8Array(m.data));
      let tracker = trackers.get(m.cameraId);
      if (!tracker) {
        tracker = { fire: new FireTracker(), smoke: new SmokeTracker() };
        trackers.set(m.cameraId, tracker);
      }
      const step = tracker.fire.observe(frame, scorer, m.at);
      const smoke = tracker.smoke.observe(frame, m.at);
      reply = { type: 'step', cameraId: m.cameraId, step, smoke, ms: performance.now() - t0 };
    } catch (err) {
      reply = { type: 'error', cameraId: m.cameraId, message: (err as Error).message };
    }
    port.postMessage(reply);
  });
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message } satisfies FireWorkerReady);
}
