/**
 * The anomaly detector's worker thread (detector.ts, thread mode): owns the per-sensor models and
 * tfjs, scores the groups the main thread posts and posts the scores back, so model calls never
 * hold up MQTT handling, detection and alarm emits on the main event loop (issue 4: alarm p99).
 * The thread lowers its own scheduling priority (Linux: setpriority on the calling thread), so
 * on a busy machine the alarm path, the broker and the database get the CPU first; ML is advisory.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadTensorflow } from './backend.js';
import { StreamingAnomalyScorer, scoreGroups } from './scorer.js';
import type { ScoreReply, ScoreRequest, WorkerInit, WorkerReady } from './worker-protocol.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('ml: worker.ts runs as a worker thread');

let niced = false;
try {
  setPriority(0, init.nice);
  niced = true;
} catch {
  // Not permitted or not supported here: the worker runs at the process's priority.
}
const tf = init.tensorflow ? await loadTensorflow() : undefined;
const scorer = new StreamingAnomalyScorer({ tf, series: init.series, maxSensors: init.maxSensors });
const ready: WorkerReady = {
  type: 'ready',
  backend: tf ? tf.backend : 'none',
  nodeUnavailable: tf?.nodeUnavailable,
  niced,
};
port.postMessage(ready);

port.on('message', (m: ScoreRequest) => {
  let reply: ScoreReply;
  try {
    reply = { type: 'scores', id: m.id, scores: scoreGroups(scorer, m.sensorIds, m.values, init.batch) };
  } catch (err) {
    reply = { type: 'error', id: m.id, message: (err as Error).stack ?? String(err) };
  }
  port.postMessage(reply, reply.type === 'scores' ? reply.scores.map((s) => s.buffer as ArrayBuffer) : []);
});
