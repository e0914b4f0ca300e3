/**
 * tfjs on the wasm backend (the .wasm files ship in @tensorflow/tfjs-backend-wasm; nothing is
 * downloaded; @tensorflow/tfjs-node does not install here, RECIPES). One thread: the detector runs
 * in its own low-priority worker and must not take more than its share of a 2-core machine.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

export function loadWasmTf(): Promise<typeof tf> {
  ready ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(`${dist}/`);
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('vision: the tfjs wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}
