/**
 * L2-regularised logistic regression on standardised features, fitted by Adam on the full batch,
 * classes weighted to balance. Small and dependency-free: the head has ~1,300 inputs and a few
 * thousand examples.
 */
export interface Logistic {
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
  score(x: ArrayLike<number>): number;
}

export function fitLogistic(
  xs: Float32Array[],
  ys: number[],
  o: { l2?: number; epochs?: number; lr?: number } = {},
): Logistic {
  const n = xs.length;
  const d = xs[0].length;
  const mean = new Array(d).fill(0);
  const std = new Array(d).fill(0);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j] += x[j] / n;
  for (const x of xs) for (let j = 0; j < d; j++) std[j] += (x[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
  const z = xs.map((x) => Float64Array.from(x, (v, j) => (v - mean[j]) / std[j]));
  const pos = ys.filter(Boolean).length;
  const wPos = n / (2 * Math.max(1, pos));
  const wNeg = n / (2 * Math.max(1, n - pos));
  const w = new Float64Array(d);
  let b = 0;
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const l2 = o.l2 ?? 1;
  const lr = o.lr ?? 0.01;
  const epochs = o.epochs ?? 400;
  const g = new Float64Array(d + 1);
  for (let t = 1; t <= epochs; t++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const zi = z[i];
      let s = b;
      for (let j = 0; j < d; j++) s += w[j] * zi[j];
      const p = 1 / (1 + Math.exp(-s));
      const e = (p - ys[i]) * (ys[i] ? wPos : wNeg);
      for (let j = 0; j < d; j++) g[j] += e * zi[j];
      g[d] += e;
    }
    for (let j = 0; j <= d; j++) {
      const grad = g[j] / n + (j < d ? (l2 * w[j]) / n : 0);
      m[j] = 0.9 * m[j] + 0.1 * grad;
      v[j] = 0.999 * v[j] + 0.001 * grad * grad;
      const step = (lr * (m[j] / (1 - 0.9 ** t))) / (Math.sqrt(v[j] / (1 - 0.999 ** t)) + 1e-8);
      if (j < d) w[j] -= step;
      else b -= step;
    }
  }
  const weights = Array.from(w);
  return {
    mean,
    std,
    weights,
    bias: b,
    score: (x) => {
      let s = b;
      for (let j = 0; j < d; j++) s += ((x[j] - mean[j]) / std[j]) * weights[j];
      return 1 / (1 + Math.exp(-s));
    },
  };
}
