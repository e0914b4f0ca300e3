/**
 * tfjs for the detector. `@tensorflow/tfjs-node` (native libtensorflow) is an optional dependency:
 * where it installed, its `tensorflow` backend is used; where it could not (its install downloads
 * libtensorflow, impossible on an offline machine, RECIPES), tfjs runs on the wasm backend whose
 * .wasm files ship inside @tensorflow/tfjs-backend-wasm: nothing is downloaded either way.
 * `GWANJE_FIRE_BACKEND=wasm` forces wasm. The wasm path runs one thread: the detector runs in its
 * own low-priority worker and must not take more than its share of a 2-core machine.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/** Registers tfjs-node's `tensorflow` backend when the optional package is installed; false when it is not. */
async function nativeBackend(): Promise<boolean> {
  const name = '@tensorflow/tfjs-node';
  try {
    createRequire(import.meta.url).resolve(name);
  } catch {
    return false;
  }
  try {
    await import(name);
    return await tf.setBackend('tensorflow');
  } catch {
    // Installed but its native library did not load: the wasm backend below serves.
    return false;
  }
}

/** tfjs ready on the best backend present: `tensorflow` (tfjs-node) if installed, else `wasm`. */
export function loadTf(backend = process.env.GWANJE_FIRE_BACKEND): Promise<typeof tf> {
  ready ??= (async () => {
    if (backend !== 'wasm' && (await nativeBackend())) {
      await tf.ready();
      return tf;
    }
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(`${dist}/`);
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('vision: the tfjs wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}
