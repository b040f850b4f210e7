/**
 * reduceLrOnPlateau as Keras' ReduceLROnPlateau defines it (keras/src/callbacks/reduce_lr_on_plateau.py):
 * after `patience` epochs without improvement the rate is multiplied by `factor`, not below
 * `minLearningRate`, and the count starts again. (setLearningRate, which it uses, is tested with
 * the learning-rate schedules.)
 */
import { type Callback, reduceLrOnPlateau } from '@encdec/core';
import { learningRateOf } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Feeds `values` of `monitor` (with a training loss) to the callback as epochs; returns the rate after each. */
async function drive(
  callback: Callback,
  optimizer: tf.Optimizer,
  values: number[],
  monitor = 'val_loss',
): Promise<number[]> {
  await callback.onTrainBegin?.({});
  const rates: number[] = [];
  for (const [epoch, value] of values.entries()) {
    await callback.onEpochEnd?.(epoch, { loss: 1, [monitor]: value });
    rates.push(learningRateOf(optimizer));
  }
  return rates;
}

function closeTo(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    expect(g).toBeCloseTo(want[i]!, 12);
  });
}

describe('reduceLrOnPlateau', () => {
  it('multiplies the rate by factor after `patience` epochs without improvement, then waits again', async () => {
    const optimizer = tf.train.adam(0.1);
    const reduced: number[] = [];
    const callback = reduceLrOnPlateau({
      optimizer,
      factor: 0.5,
      patience: 2,
      onReduce: (epoch) => reduced.push(epoch),
    });
    // Worked by hand: epochs 2 and 3 do not beat 0.9 (reduce after 3); 5 improves; 6, 7 do not.
    const rates = await drive(callback, optimizer, [1, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86]);
    closeTo(rates, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025]);
    expect(reduced).toEqual([3, 7]);
    optimizer.dispose();
  });

  it('never goes below minLearningRate, and a new fit starts the count afresh', async () => {
    const optimizer = tf.train.rmsprop(0.1);
    const callback = reduceLrOnPlateau({
      optimizer,
      factor: 0.1,
      patience: 1,
      minLearningRate: 0.005,
    });
    closeTo(await drive(callback, optimizer, [1, 2, 3, 4]), [0.1, 0.01, 0.005, 0.005]);
    // onTrainBegin forgets the best value 1: 5 is the first value of the new fit.
    closeTo(await drive(callback, optimizer, [5, 4]), [0.005, 0.005]);
    optimizer.dispose();
  });

  it("mode 'max' (auto for accuracy keys) counts a fall as no improvement", async () => {
    const optimizer = tf.train.sgd(1);
    const callback = reduceLrOnPlateau({
      optimizer,
      monitor: 'val_accuracy',
      factor: 0.5,
      patience: 1,
    });
    const rates = await drive(callback, optimizer, [0.5, 0.6, 0.55, 0.7], 'val_accuracy');
    expect(rates).toEqual([1, 1, 0.5, 0.5]);
    optimizer.dispose();
  });

  it('rejects bad options, naming them', () => {
    const optimizer = tf.train.adam(0.1);
    expect(() => reduceLrOnPlateau({ optimizer, factor: 1 })).toThrow(/factor.*1/);
    expect(() => reduceLrOnPlateau({ optimizer, patience: 0 })).toThrow(/patience.*0/);
    expect(() => reduceLrOnPlateau({ optimizer, minLearningRate: -1 })).toThrow(
      /minLearningRate.*-1/,
    );
    expect(() => reduceLrOnPlateau({ optimizer: undefined as never })).toThrow(/optimizer/);
    expect(() => reduceLrOnPlateau({ optimizer, mode: 'up' as never })).toThrow(/mode.*up/);
    optimizer.dispose();
  });
});

describe('the lowered rate reaches the optimizer', () => {
  /** The change of x = [1, -2] after one step on sum(3 x) (gradient 3 everywhere). */
  function firstStep(optimizer: tf.Optimizer): number[] {
    const start = tf.tensor1d([1, -2]);
    const x = tf.variable(start);
    start.dispose();
    optimizer.minimize(() => tf.sum(tf.mul(3, x)) as tf.Scalar);
    const change = tf.tidy(() => Array.from(tf.sub(x, tf.tensor1d([1, -2])).dataSync()));
    x.dispose();
    return change;
  }

  it('SGD (which caches its rate in a tensor), Adam and RMSprop step with the lowered rate', async () => {
    const before = tf.memory().numTensors;
    // First steps with g = 3 and the lowered rate 0.5, from each update rule:
    // SGD: -lr g = -1.5. Adam (Kingma & Ba 2015): m_hat = g, v_hat = g^2, -lr m_hat / (sqrt(v_hat) + 1e-7) = -0.5.
    // RMSprop (decay 0.9): ms = 0.1 g^2, -lr g / sqrt(ms + 1e-7) = -0.5 / sqrt(0.1) = -1.5811.
    const expected: [tf.Optimizer, number][] = [
      [tf.train.sgd(1), -1.5],
      [tf.train.adam(1), -0.5],
      [tf.train.rmsprop(1), -0.5 / Math.sqrt(0.1)],
    ];
    for (const [optimizer, step] of expected) {
      await drive(reduceLrOnPlateau({ optimizer, factor: 0.5, patience: 1 }), optimizer, [1, 2]);
      expect(learningRateOf(optimizer)).toBe(0.5);
      for (const change of firstStep(optimizer)) expect(change).toBeCloseTo(step, 4);
      optimizer.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
