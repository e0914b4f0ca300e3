/** ROC AUC (Mann-Whitney U, ties count half) and recall / false-positive rate at a threshold. */
export function auc(scores: number[], labels: number[]): number {
  const idx = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => a[0] - b[0]);
  let rank = 0;
  let posRanks = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && idx[j][0] === idx[i][0]) j++;
    const mid = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (idx[k][1]) posRanks += mid;
    rank = j;
    i = j;
  }
  const pos = labels.filter(Boolean).length;
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0 || rank === 0) return Number.NaN;
  return (posRanks - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function rates(
  scores: number[],
  labels: number[],
  threshold: number,
): { recall: number; fpr: number; tp: number; fp: number; pos: number; neg: number } {
  let tp = 0;
  let fp = 0;
  let pos = 0;
  let neg = 0;
  scores.forEach((s, i) => {
    if (labels[i]) {
      pos++;
      if (s >= threshold) tp++;
    } else {
      neg++;
      if (s >= threshold) fp++;
    }
  });
  return { recall: pos ? tp / pos : Number.NaN, fpr: neg ? fp / neg : Number.NaN, tp, fp, pos, neg };
}
