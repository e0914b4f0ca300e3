import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc, rates } from '../train/metrics.js';

test('AUC: perfect, inverted, ties count half', () => {
  assert.equal(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
  assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
});

test('recall and false-positive rate at a threshold', () => {
  assert.deepEqual(rates([0.1, 0.6, 0.7, 0.2], [0, 0, 1, 1], 0.5), {
    recall: 0.5,
    fpr: 0.5,
    tp: 1,
    fp: 1,
    pos: 2,
    neg: 2,
  });
});
