/**
 * Picks the tfjs backend: `@tensorflow/tfjs-node` (native libtensorflow) when that optional
 * package is installed and loads, else `@tensorflow/tfjs-backend-wasm` with its .wasm files read
 * from node_modules (they ship in the package; nothing is downloaded). RECIPES: a small
 * autoencoder predicts ~3x faster on wasm than on the pure-JS cpu backend.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;

export interface Tensorflow {
  tf: Tf;
  /** 'tensorflow' (tfjs-node) or 'wasm'. */
  backend: string;
  /** Why tfjs-node was not used, when it was not. */
  nodeUnavailable?: string;
}

export interface LoadOptions {
  /** Loads the optional native package; registering its 'tensorflow' backend is its side effect. */
  importNative?: () => Promise<unknown>;
}

const NATIVE = '@tensorflow/tfjs-node';

/** The specifier is a variable so a tree without the optional package still type-checks. */
const importNative = (): Promise<unknown> => import(NATIVE);

let loaded: Promise<Tensorflow> | undefined;

/** Loads once per process (tfjs keeps one global engine); later calls get the same result. */
export function loadTensorflow(opts: LoadOptions = {}): Promise<Tensorflow> {
  loaded ??= pickBackend(opts.importNative ?? importNative);
  return loaded;
}

/** Tries the native backend via `native()`, else initialises wasm; sets tfjs' global backend. */
export async function pickBackend(native: () => Promise<unknown>): Promise<Tensorflow> {
  let nodeUnavailable: string | undefined;
  try {
    await native();
    if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) return { tf, backend: 'tensorflow' };
    nodeUnavailable = 'ml: tfjs-node loaded but registered no tensorflow backend';
  } catch (err) {
    nodeUnavailable = `ml: ${NATIVE} not loadable (${(err as Error).message.split('\n')[0]})`;
  }
  const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(`${dist}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('ml: the tfjs wasm backend failed to initialise');
  await tf.ready();
  return { tf, backend: tf.getBackend(), nodeUnavailable };
}
