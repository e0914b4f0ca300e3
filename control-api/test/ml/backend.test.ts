/**
 * tfjs backend choice: here `@tensorflow/tfjs-node` cannot be installed (its install downloads
 * libtensorflow), so the loader falls back to the wasm backend from node_modules and says why.
 * When the native package is present its import registers a 'tensorflow' backend, which the
 * loader then prefers; that case is exercised by an importer registering a real tfjs backend
 * (the cpu kernels) under that name, since the native binary cannot exist on this machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../../src/ml/autoencoder.js';
import { loadTensorflow, pickBackend } from '../../src/ml/backend.js';

describe('tfjs backend', () => {
  it('prefers the tensorflow backend registered by tfjs-node when that package loads', async () => {
    const got = await pickBackend(async () => {
      const cpu = tf.findBackendFactory('cpu');
      assert.ok(cpu);
      tf.registerBackend('tensorflow', cpu);
    });
    assert.equal(got.backend, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    tf.removeBackend('tensorflow');
  });

  it('falls back to wasm (files from node_modules) and an autoencoder trains on it', async () => {
    const got = await loadTensorflow();
    assert.equal(got.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(got.nodeUnavailable ?? '', /tfjs-node/);
    const ae = new Autoencoder(got.tf, { dim: 16, seed: 1 });
    const windows = new Float32Array(64 * 16).map((_, i) => 0.5 + 0.4 * Math.sin(i / 3));
    const before = ae.errors(windows, 64);
    for (let i = 0; i < 100; i++) ae.train(windows, 64);
    const afterTraining = ae.errors(windows, 64);
    const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / a.length;
    assert.ok(mean(afterTraining) < mean(before) / 3, `${mean(before)} -> ${mean(afterTraining)}`);
    ae.dispose();
  });
});
