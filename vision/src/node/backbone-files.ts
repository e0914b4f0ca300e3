/**
 * Reads the MobileNetV2 topology and weights that the `nsfwjs` package ships inside itself
 * (`nsfwjs/models/mobilenet_v2`: the model JSON, and the weights as one base64 string).
 */
import { createRequire } from 'node:module';
import type { BackboneFiles } from '../backbone.js';

const require = createRequire(import.meta.url);

interface Bundled {
  modelJson: () => Promise<unknown>;
  weightBundles: Array<() => Promise<unknown>>;
}

export async function readBackboneFiles(): Promise<BackboneFiles> {
  const unwrap = (m: unknown): unknown => (m as { default?: unknown }).default ?? m;
  const bundled = (require('nsfwjs/models/mobilenet_v2') as { MobileNetV2Model: Bundled }).MobileNetV2Model;
  const model = unwrap(await bundled.modelJson()) as BackboneFiles['model'];
  const b64 = unwrap(await bundled.weightBundles[0]());
  if (typeof b64 !== 'string' || !model?.modelTopology)
    throw new Error('vision: nsfwjs mobilenet_v2 files not as expected');
  return { model, weights: new Uint8Array(Buffer.from(b64, 'base64')) };
}
