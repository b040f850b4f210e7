import { readFileSync } from 'node:fs';
import { maskedCrossEntropy } from '@encdec/core';
import { maskedTokenSums } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose } from '../backend/expect-close.js';

/** PyTorch's nn.CrossEntropyLoss(ignore_index=0, label_smoothing) (make-loss-fixtures.py). */
interface Case {
  name: string;
  shape: [number, number, number];
  labelSmoothing: number;
  logits: number[];
  targets: number[][];
  loss: number;
  grad: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/pytorch/label-smoothing.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('label smoothing', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const c of fixture.cases) {
      it(`gives PyTorch's loss and gradient (${c.name}) on ${backend}`, async () => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const logits = tf.tensor3d(c.logits, c.shape);
        const targets = tf.tensor2d(c.targets, undefined, 'int32');
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
          maskedCrossEntropy(x, targets, c.labelSmoothing),
        )(logits);
        expect(value.dataSync()[0]).toBeCloseTo(c.loss, 5);
        expectAllClose(grad.dataSync(), c.grad, 1e-6);
        tf.dispose([logits, targets, value, grad]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it(`leaves accuracy and token counts alone, and 0 is plain cross-entropy, on ${backend}`, async () => {
      await tf.setBackend(backend);
      const c = fixture.cases[0]!;
      const logits = tf.tensor3d(c.logits, c.shape);
      const targets = tf.tensor2d(c.targets, undefined, 'int32');
      const plain = maskedTokenSums(logits, targets);
      const zero = maskedTokenSums(logits, targets, 0);
      const smooth = maskedTokenSums(logits, targets, c.labelSmoothing);
      expect(zero.lossSum.dataSync()[0]).toBe(plain.lossSum.dataSync()[0]);
      expect(smooth.lossSum.dataSync()[0]).not.toBeCloseTo(plain.lossSum.dataSync()[0]!, 3);
      expect(smooth.correct.dataSync()[0]).toBe(plain.correct.dataSync()[0]);
      expect(smooth.tokens.dataSync()[0]).toBe(6);
      tf.dispose([logits, targets, plain, zero, smooth].flatMap((s) => Object.values(s)));
    });
  }

  it('rejects a smoothing outside [0, 1), naming it', () => {
    const logits = tf.zeros([1, 1, 3]);
    const targets = tf.tensor2d([[1]], undefined, 'int32');
    expect(() => maskedTokenSums(logits, targets, 1)).toThrow(
      'labelSmoothing must be a number in [0, 1), got 1.',
    );
    expect(() => maskedTokenSums(logits, targets, -0.1)).toThrow(
      'labelSmoothing must be a number in [0, 1), got -0.1.',
    );
    tf.dispose([logits, targets]);
  });
});
