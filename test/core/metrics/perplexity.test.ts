/** Perplexity on distributions whose target probabilities are known exactly. */
import { EncdecError, perplexity, perplexityFromNll } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// One sequence of 3 targets over 4 tokens: the targets 2 and 3 get p = 1/2 and 1/4; the last
// target is padding (0). Mean NLL = (ln 2 + ln 4) / 2 = 1.5 ln 2, so PP = 2^1.5.
const probs = [
  [
    [0.1, 0.2, 0.5, 0.2],
    [0.25, 0.25, 0.25, 0.25],
    [0.97, 0.01, 0.01, 0.01],
  ],
];

describe('perplexity', () => {
  it('is exp of the mean NLL over non-padding targets', () => {
    const logProbs = tf.log(tf.tensor3d(probs));
    const targets = tf.tensor2d([[2, 3, 0]], undefined, 'int32');
    const before = tf.memory().numTensors;
    expect(perplexity(logProbs, targets)).toBeCloseTo(2 ** 1.5, 5);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logProbs, targets]);
  });

  it('takes an explicit mask instead of padId', () => {
    // Count only the first target: PP = 1 / (1/2) = 2. Then count all three: the third has p = 0.97.
    const logProbs = tf.log(tf.tensor3d(probs));
    const targets = tf.tensor2d([[2, 3, 0]], undefined, 'int32');
    const first = tf.tensor2d([[1, 0, 0]]);
    const all = tf.ones([1, 3]);
    expect(perplexity(logProbs, targets, { mask: first })).toBeCloseTo(2, 5);
    expect(perplexity(logProbs, targets, { mask: all })).toBeCloseTo(
      Math.exp((Math.log(2) + Math.log(4) - Math.log(0.97)) / 3),
      5,
    );
    tf.dispose([logProbs, targets, first, all]);
  });

  it('from a mean NLL is exp(meanNll)', () => {
    expect(perplexityFromNll(Math.log(7))).toBeCloseTo(7, 12);
    expect(perplexityFromNll(0)).toBe(1);
  });

  it('rejects a counted target outside [0, vocabSize) or not an integer, naming value and position', () => {
    // An id of 4 or -1 read another position's probability (PP 3.976 instead of an error), and
    // 2.5 was truncated to 2.
    const logProbs = tf.log(tf.tensor3d(probs));
    for (const [row, message] of [
      [[2, 4, 0], 'targets[0, 1] must be an integer token id in [0, 4), got 4.'],
      [[-1, 3, 0], 'targets[0, 0] must be an integer token id in [0, 4), got -1.'],
      [[2, 3, 2.5], 'targets[0, 2] must be an integer token id in [0, 4), got 2.5.'],
    ] as const) {
      const targets = tf.tensor2d([[...row]]); // float32: integer values are accepted
      const before = tf.memory().numTensors;
      expect(() => perplexity(logProbs, targets)).toThrow(EncdecError);
      expect(() => perplexity(logProbs, targets)).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
      targets.dispose();
    }
    // Positions that do not count are not checked: padding marked -1 by padId or by a mask.
    const padded = tf.tensor2d([[2, 3, -1]], undefined, 'int32');
    const first = tf.tensor2d([[1, 1, 0]]);
    expect(perplexity(logProbs, padded, { padId: -1 })).toBeCloseTo(2 ** 1.5, 5);
    expect(perplexity(logProbs, padded, { mask: first })).toBeCloseTo(2 ** 1.5, 5);
    const floats = tf.tensor2d([[2, 3, 0]]);
    expect(perplexity(logProbs, floats)).toBeCloseTo(2 ** 1.5, 5);
    tf.dispose([logProbs, padded, first, floats]);
  });

  it('rejects targets of the wrong shape and a negative NLL, naming them', () => {
    const logProbs = tf.log(tf.tensor3d(probs));
    const targets = tf.tensor2d([[2, 3]], undefined, 'int32');
    expect(() => perplexity(logProbs, targets)).toThrow(EncdecError);
    expect(() => perplexity(logProbs, targets)).toThrow(
      'targets must be of shape [1,3], got [1,2].',
    );
    const right = tf.tensor2d([[2, 3, 0]], undefined, 'int32');
    expect(() => perplexity(logProbs, right, { padId: 0.5 })).toThrow(
      'padId must be an integer, got 0.5.',
    );
    right.dispose();
    expect(() => perplexityFromNll(-1)).toThrow(
      'meanNll must be a number >= 0 (nats per token), got -1.',
    );
    tf.dispose([logProbs, targets]);
  });
});
