import { maskedCorrect, maskedCrossEntropy, maskedCrossEntropySums } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// [batch 2, tgtLen 3, vocabSize 4]
const logits = [
  [
    [2, 1, 0, -1],
    [0.5, 0.5, 3, 0],
    [1, 1, 1, 1],
  ],
  [
    [0, 0, 0, 4],
    [1, 2, 3, 4],
    [9, 9, 9, 9], // padding: must not count
  ],
];
const targets = [
  [1, 2, 3],
  [3, 1, 0],
];

/** -log softmax(row)[k], by hand. */
const nll = (row: number[], k: number) =>
  Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[k]!;

describe('masked loss and accuracy', () => {
  it('average the cross-entropy over real target tokens only', () => {
    const expectedSum =
      nll(logits[0]![0]!, 1) +
      nll(logits[0]![1]!, 2) +
      nll(logits[0]![2]!, 3) +
      nll(logits[1]![0]!, 3) +
      nll(logits[1]![1]!, 1);
    const before = tf.memory().numTensors;
    const l = tf.tensor3d(logits);
    const t = tf.tensor2d(targets, undefined, 'int32');
    const { lossSum, tokens } = maskedCrossEntropySums(l, t);
    expect(lossSum.dataSync()[0]).toBeCloseTo(expectedSum, 5);
    expect(tokens.dataSync()[0]).toBe(5);
    const mean = maskedCrossEntropy(l, t);
    expect(mean.dataSync()[0]).toBeCloseTo(expectedSum / 5, 5);
    // argmax hits: row 0: [0] no (argmax 0 vs 1), [1] yes (2), [2] ties -> index 0, no;
    // row 1: [0] yes (3), [1] no (argmax 3 vs 1); the padding position does not count.
    const correct = maskedCorrect(l, t);
    expect(correct.dataSync()[0]).toBe(2);
    tf.dispose([l, t, lossSum, tokens, mean, correct]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is 0, not NaN, for a batch of padding only', () => {
    const l = tf.tensor3d([[[1, 2]]]);
    const t = tf.tensor2d([[0]], undefined, 'int32');
    const mean = maskedCrossEntropy(l, t);
    expect(mean.dataSync()[0]).toBe(0);
    tf.dispose([l, t, mean]);
  });
});
