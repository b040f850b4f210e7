/** logSoftmaxRows against tf.logSoftmax and a float64 hand computation, on cpu and wasm. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { logSoftmaxRows } from '../../../packages/core/src/model/log-softmax.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** log softmax of one row in float64. */
const byHand = (row: number[]) => {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
};

describe('logSoftmaxRows', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`equals tf.logSoftmax on random logits (${backend})`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([7, 300], 0, 4, 'float32', 3) as tf.Tensor2D;
      const [ours, stock] = tf.tidy(() => [
        logSoftmaxRows(x).dataSync(),
        tf.logSoftmax(x).dataSync(),
      ]) as [Float32Array, Float32Array];
      for (let i = 0; i < ours.length; i++)
        expect(Math.abs(ours[i]! - stock[i]!)).toBeLessThan(2e-5);
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`is finite and exact where probabilities underflow (${backend})`, async () => {
      await tf.setBackend(backend);
      const rows = [
        [0, -300, -100, 50],
        [1, 1, 1, 1],
        [-1e4, -1e4 + 2, -1e4 - 5, -1e4],
      ];
      const got = tf.tidy(() => logSoftmaxRows(tf.tensor2d(rows)).arraySync());
      rows.forEach((row, r) => {
        const expected = byHand(row);
        for (let k = 0; k < row.length; k++) expect(got[r]![k]).toBeCloseTo(expected[k]!, 3);
      });
    });
  }
});
