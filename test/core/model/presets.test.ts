import { createKerasExampleModel, kerasExampleConfig } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('kerasExampleConfig learningRate', () => {
  it("defaults to RMSprop's Keras default, 0.001, and takes another step size", () => {
    expect(kerasExampleConfig().learningRate).toBe(0.001);
    expect(kerasExampleConfig({ learningRate: 0.01 })).toMatchObject({
      optimizer: 'rmsprop',
      learningRate: 0.01,
    });
    const model = createKerasExampleModel({ vocabSize: 8, learningRate: 0.01 });
    expect(model.config.learningRate).toBe(0.01);
    expect(model.optimizer).toBeInstanceOf(tf.RMSPropOptimizer);
    expect(model.optimizer.getConfig().learningRate).toBe(0.01);
    model.dispose();
  });

  it('rejects a step size that is not a positive number, naming it', () => {
    expect(() => createKerasExampleModel({ vocabSize: 8, learningRate: -1 })).toThrow('got -1');
    expect(() => createKerasExampleModel({ vocabSize: 8, learningRate: 0 })).toThrow(
      'learningRate must be a positive number, got 0.',
    );
  });
});
