/**
 * `applyFinalNorm` (model/final-norm.ts) against the Keras layerNormalization layer whose weights
 * it reads: the same values and the same gradients with respect to the input, gamma and beta, on
 * cpu and wasm, with gamma and beta away from their initial ones and zeros.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFinalNorm } from '../../../packages/core/src/model/final-norm.js';
import { LAYER_NORM_EPSILON } from '../../../packages/core/src/model/transformer-blocks.js';
import { expectAllClose } from '../backend/expect-close.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('applyFinalNorm', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`gives the Keras layerNormalization's values and gradients on ${backend}`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const layer = tf.layers.layerNormalization({ epsilon: LAYER_NORM_EPSILON });
      const x = tf.randomNormal([3, 5, 8], 0.5, 2, 'float32', 1); // [batch, len, dModel]
      layer.build(x.shape);
      const gamma = tf.randomNormal([8], 1, 0.5, 'float32', 2);
      const beta = tf.randomNormal([8], 0, 0.5, 'float32', 3);
      layer.setWeights([gamma, beta]);
      const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 4); // weights each output differently
      const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const run = (f: (x: tf.Tensor) => tf.Tensor) => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x), dy)), weights);
        const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input), dy)))(x);
        const out = [f(x), dx, ...weights.map((w) => grads[w.name]!)].map((t) =>
          Array.from(t.dataSync()),
        );
        tf.dispose([value, dx, ...Object.values(grads)]);
        return out;
      };
      const ours = tf.tidy(() => run((input) => applyFinalNorm(layer, input)));
      const keras = tf.tidy(() => run((input) => layer.apply(input) as tf.Tensor));
      const names = ['output', 'dx', 'dgamma', 'dbeta'];
      ours.forEach((values, i) => {
        expect(values.length, names[i]).toBeGreaterThan(0);
        expectAllClose(values, keras[i]!, 2e-5);
      });
      // Gradients that reach gamma and beta at all (dy weights the positions differently).
      expect(Math.abs(ours[2]![0]!)).toBeGreaterThan(1e-3);
      expect(Math.abs(ours[3]![0]!)).toBeGreaterThan(1e-3);
      for (const w of layer.trainableWeights) w.dispose(); // a layer never applied symbolically
      tf.dispose([x, gamma, beta, dy]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
