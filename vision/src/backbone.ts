/**
 * The learned model's eyes: MobileNetV2 (Sandler et al. 2018) as shipped inside the `nsfwjs`
 * npm package (MIT; a Keras MobileNetV2 whose blocks 0-10 keep their ImageNet weights and whose
 * blocks 11-16 were fine-tuned by that project), cut after its last convolution (`out_relu`) and
 * run at a small input size. Nothing is downloaded: the weights are bytes in node_modules
 * (issue 23). Our own head (head.ts) is trained here on its pooled features. Pure compute: the
 * caller passes the topology and weight bytes (node/backbone-files.ts reads them).
 */
import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;

export interface BackboneFiles {
  /** Keras model JSON: {modelTopology, weightsManifest}. */
  model: { modelTopology: KerasTopology; weightsManifest: Array<{ weights: WeightSpec[] }> };
  /** The concatenated weight bytes the manifest describes. */
  weights: Uint8Array;
}

interface KerasTopology {
  model_config: {
    config: { layers: Array<{ name: string; config: Record<string, unknown> }>; output_layers: unknown };
  };
  [k: string]: unknown;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

/** The layer the features are taken from: 1280 channels at 1/32 of the input size. */
export const FEATURE_LAYER = 'out_relu';
export const FEATURES = 1280;

const BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4 };

export interface Backbone {
  /** Input side in pixels (square). */
  size: number;
  /** Global-average-pooled features, one row of FEATURES per input [n, size, size, 3] in [0, 1]. */
  features(batch: tfjs.Tensor4D): tfjs.Tensor2D;
  dispose(): void;
}

export async function createBackbone(tf: Tf, files: BackboneFiles, size: number): Promise<Backbone> {
  const topo = structuredClone(files.model.modelTopology);
  const layers = topo.model_config.config.layers;
  const cut = layers.findIndex((l) => l.name === FEATURE_LAYER);
  if (cut < 0) throw new Error(`vision: backbone has no layer ${FEATURE_LAYER}`);
  topo.model_config.config.layers = layers.slice(0, cut + 1);
  topo.model_config.config.output_layers = [[FEATURE_LAYER, 0, 0]];
  (layers[0].config as { batch_input_shape: unknown }).batch_input_shape = [null, size, size, 3];
  // Keep the weights of the layers left, in manifest order (the bytes are their concatenation).
  const keep = new Set(topo.model_config.config.layers.map((l) => l.name));
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  let off = 0;
  for (const spec of files.model.weightsManifest.flatMap((m) => m.weights)) {
    const bytes = spec.shape.reduce((a, b) => a * b, 1) * BYTES[spec.quantization?.dtype ?? spec.dtype];
    if (keep.has(spec.name.split('/')[0])) {
      specs.push(spec);
      parts.push(files.weights.subarray(off, off + bytes));
    }
    off += bytes;
  }
  if (off !== files.weights.length)
    throw new Error(`vision: backbone weights are ${files.weights.length} bytes, manifest says ${off}`);
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const model = await tf.loadLayersModel({
    load: async () => ({ modelTopology: topo, weightSpecs: specs as never, weightData: data.buffer }),
  });
  return {
    size,
    features: (batch) => tf.tidy(() => tf.mean(model.predict(batch) as tfjs.Tensor4D, [1, 2]) as tfjs.Tensor2D),
    dispose: () => model.dispose(),
  };
}
