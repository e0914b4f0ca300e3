/**
 * The learned head trained here (train/train.ts): logistic regression on the standardised
 * backbone features of a frame or crop plus its colour statistics. Weights live in
 * model/fire-head.json (committed), with the threshold the product flags at and what it was
 * trained on. Pure.
 */
export interface FireHead {
  version: 1;
  /** Backbone input side (pixels) the head was trained with. */
  inputSize: number;
  /** Feature count: backbone features then colour statistics. */
  inputs: number;
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
  /** Image-level decision threshold on the score (0..1), chosen on training data only. */
  threshold: number;
  /** What it was trained on (sources, counts, split), for the README and the evaluation CLI. */
  trainedOn: Record<string, unknown>;
}

export function headScore(head: FireHead, features: ArrayLike<number>): number {
  if (features.length !== head.inputs)
    throw new Error(`vision: head takes ${head.inputs} features, got ${features.length}`);
  let z = head.bias;
  for (let i = 0; i < head.inputs; i++) z += ((features[i] - head.mean[i]) / head.std[i]) * head.weights[i];
  return 1 / (1 + Math.exp(-z));
}

export function checkHead(h: unknown): FireHead {
  const head = h as FireHead;
  const ok =
    head?.version === 1 &&
    Number.isInteger(head.inputs) &&
    [head.mean, head.std, head.weights].every((a) => Array.isArray(a) && a.length === head.inputs) &&
    Number.isFinite(head.bias) &&
    head.threshold > 0 &&
    head.threshold < 1;
  if (!ok) throw new Error('vision: fire head weights are malformed');
  return head;
}
