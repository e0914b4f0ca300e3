/**
 * Reads the MobileNetV2 topology and weights that the `nsfwjs` package ships inside itself
 * (dist/models/mobilenet_v2/*.min.js: UMD modules holding the model object and the weights as one
 * base64 string). They are evaluated in a bare vm context rather than `require`d: a loader hook
 * (tsx) would otherwise transform the 3.5 MB file and briefly take ~500 MB doing it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { BackboneFiles } from '../backbone.js';

function umdExports(path: string): unknown {
  const module = { exports: {} as unknown };
  runInNewContext(readFileSync(path, 'utf8'), { module, exports: module.exports }, { filename: path });
  return module.exports;
}

export async function readBackboneFiles(): Promise<BackboneFiles> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
  const model = umdExports(join(dist, 'model.min.js')) as BackboneFiles['model'];
  const b64 = umdExports(join(dist, 'group1-shard1of1.min.js'));
  if (typeof b64 !== 'string' || !model?.modelTopology)
    throw new Error(`vision: nsfwjs mobilenet_v2 files in ${dist} not as expected`);
  return { model, weights: new Uint8Array(Buffer.from(b64, 'base64')) };
}
