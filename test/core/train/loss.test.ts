import { maskedCorrect, maskedCrossEntropy } from '@encdec/core';
import { maskedCrossEntropySums, maskedTokenSums } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
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

/** softmax(row), by hand in float64. */
const softmax = (row: number[]) => {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};

describe('masked cross-entropy as one op', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`has the gradient mask * (softmax - onehot) / tokens on ${backend}`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const l = tf.tensor3d(logits);
      const t = tf.tensor2d(targets, undefined, 'int32');
      const grad = tf.grad((x: tf.Tensor) => maskedCrossEntropy(x, t))(l);
      const got = grad.arraySync() as number[][][];
      for (let b = 0; b < 2; b++) {
        for (let s = 0; s < 3; s++) {
          const target = targets[b]![s]!;
          const expected = softmax(logits[b]![s]!).map((p, k) =>
            target === 0 ? 0 : (p - (k === target ? 1 : 0)) / 5,
          );
          for (let k = 0; k < 4; k++) expect(got[b]![s]![k]).toBeCloseTo(expected[k]!, 6);
        }
      }
      tf.dispose([l, t, grad]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`stays exact for far-apart logits on ${backend}, where softmax underflows`, async () => {
      await tf.setBackend(backend);
      // exp(-300) underflows float32: log softmax must still come out as -300 - log(1 + e^-100).
      const row = [0, -300, -100];
      const l = tf.tensor3d([[row, row]]);
      const t = tf.tensor2d([[1, 2]], undefined, 'int32');
      const sums = maskedTokenSums(l, t);
      expect(sums.lossSum.dataSync()[0]).toBeCloseTo(nll(row, 1) + nll(row, 2), 3);
      expect(sums.correct.dataSync()[0]).toBe(0);
      expect(sums.tokens.dataSync()[0]).toBe(2);
      const grad = tf.grad((x: tf.Tensor) => maskedCrossEntropy(x, t))(l);
      expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([l, t, grad, sums.lossSum, sums.correct, sums.tokens]);
    });
  }

  it('gives the loss and gradient of tf.losses.softmaxCrossEntropy on random logits (wasm)', async () => {
    await tf.setBackend('wasm');
    const [batch, tgtLen, vocab] = [4, 6, 50];
    const l = tf.randomNormal([batch, tgtLen, vocab], 0, 3, 'float32', 1);
    const t = tf.randomUniform([batch, tgtLen], 0, vocab, 'int32', 2); // some ids are 0: padding
    const stock = (x: tf.Tensor) => {
      const onehot = tf.oneHot(tf.reshape(t, [-1]), vocab);
      const perToken = tf.losses.softmaxCrossEntropy(
        onehot,
        tf.reshape(x, [-1, vocab]),
        undefined,
        0,
        tf.Reduction.NONE,
      );
      const mask = tf.cast(tf.notEqual(tf.reshape(t, [-1]), 0), 'float32');
      return tf.div(tf.sum(tf.mul(perToken, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    };
    const ours = tf.valueAndGrad((x: tf.Tensor) => maskedCrossEntropy(x, t))(l);
    const theirs = tf.valueAndGrad(stock)(l);
    expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0]!, 4);
    const a = ours.grad.dataSync();
    const b = theirs.grad.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
    tf.dispose([l, t, ours.value, ours.grad, theirs.value, theirs.grad]);
  });
});
