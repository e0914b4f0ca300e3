/**
 * A tiny dense autoencoder (d-h-b-h-d, tanh hidden, sigmoid out) over windows of normalised
 * values, trained online with Adam in small batches. Built from tfjs core ops so that scoring
 * and a training step are synchronous (no `fit()` promise) and the whole batch runs as a few
 * kernels on the wasm backend. Its reconstruction error is high for window shapes it has not
 * learned, which is the "model" view of series-model.ts. Weights start from a seeded PRNG so a
 * run is reproducible.
 */
import type { Tf } from './backend.js';
import type { WindowModel } from './series-model.js';

type Variable = ReturnType<Tf['variable']>;
type Tensor2D = ReturnType<Tf['tensor2d']>;

export interface AutoencoderOptions {
  dim: number;
  hidden?: number;
  bottleneck?: number;
  learningRate?: number;
  /** Training steps per batch. */
  steps?: number;
  seed?: number;
}

/** mulberry32: small deterministic PRNG for weight init. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Autoencoder implements WindowModel {
  private readonly weights: Variable[] = [];
  private readonly optimizer;
  private readonly steps: number;

  constructor(
    private readonly tf: Tf,
    readonly o: AutoencoderOptions,
  ) {
    const h = o.hidden ?? Math.max(4, o.dim >> 1);
    const b = o.bottleneck ?? Math.max(2, h >> 1);
    const sizes = [o.dim, h, b, h, o.dim];
    const rnd = seededRandom(o.seed ?? 1);
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [m, n] = [sizes[l], sizes[l + 1]];
      // Glorot-uniform bounds keep tanh units out of saturation at the start.
      const limit = Math.sqrt(6 / (m + n));
      const w = new Float32Array(m * n).map(() => (rnd() * 2 - 1) * limit);
      this.weights.push(tf.variable(tf.tensor2d(w, [m, n])), tf.variable(tf.zeros([1, n])));
    }
    this.optimizer = tf.train.adam(o.learningRate ?? 0.01);
    this.steps = o.steps ?? 3;
  }

  private forward(x: Tensor2D): Tensor2D {
    const tf = this.tf;
    let y = x;
    const layers = this.weights.length / 2;
    for (let l = 0; l < layers; l++) {
      const z = tf.add(tf.matMul(y, this.weights[2 * l]), this.weights[2 * l + 1]) as Tensor2D;
      y = (l === layers - 1 ? tf.sigmoid(z) : tf.tanh(z)) as Tensor2D;
    }
    return y;
  }

  errors(windows: Float32Array, count: number): Float32Array {
    const tf = this.tf;
    return tf.tidy(() => {
      const x = tf.tensor2d(windows.subarray(0, count * this.o.dim), [count, this.o.dim]);
      const e = tf.mean(tf.squaredDifference(this.forward(x), x), 1);
      return e.dataSync() as Float32Array;
    });
  }

  train(windows: Float32Array, count: number): void {
    const tf = this.tf;
    tf.tidy(() => {
      const x = tf.tensor2d(windows.subarray(0, count * this.o.dim), [count, this.o.dim]);
      for (let s = 0; s < this.steps; s++) {
        this.optimizer.minimize(() => tf.mean(tf.squaredDifference(this.forward(x), x)), false, this.weights);
      }
    });
  }

  dispose(): void {
    for (const w of this.weights) w.dispose();
    this.optimizer.dispose();
  }
}
