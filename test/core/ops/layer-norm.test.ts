/**
 * LayerNorm's kernel pair (EncdecLayerNorm, EncdecLayerNormGrad) as the op `fusedLayerNorm`, on
 * cpu and wasm: values against a float64 reference written here from the formula (Ba et al.
 * 2016), gradients w.r.t. x, gamma and beta against central finite differences of that reference,
 * for row lengths around the wasm module's 4-wide steps and rows of very different scales; the
 * same as the stock-op formula `layerNorm` runs without the kernels; inputs the kernels do not
 * take fall back (null); no tensors leak.
 */
import { initBackend } from '@encdec/core';
import { LAYER_NORM_EPSILON, layerNorm } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LAYER_NORM,
  LAYER_NORM_GRAD,
} from '../../../packages/core/src/backend/kernels/layer-norm.js';
import { fusedLayerNorm } from '../../../packages/core/src/ops/layer-norm.js';
import { refLayerNorm } from '../../helpers/layer-norm-ref.js';
import { expectClose, numericGrads } from '../../helpers/numeric-grads.js';
import { float32Uniform, rng } from '../../helpers/rng.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const rand = rng(16);
const randV = (n: number) => float32Uniform(rand, n);

/** A [2, 3, d] input whose rows have scales 1 to 1e3 and offsets, gamma, beta and R of sum(y R). */
function problem(d: number) {
  const rows = 6;
  const x = randV(rows * d).map((v, i) => {
    const r = Math.floor(i / d);
    return Math.fround(v * 10 ** (r % 4) + r - 2);
  });
  return { rows, x, gamma: randV(d), beta: randV(d), R: randV(rows * d) };
}

const ln = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
  fusedLayerNorm(a, g, b, LAYER_NORM_EPSILON)!;

describe.each(['cpu', 'wasm'] as const)('fusedLayerNorm on %s', (backend) => {
  it.each([1, 3, 4, 7, 16, 64])(
    'equals the float64 formula for d = %i, and so do its gradients',
    async (d) => {
      await initBackend({ backend, log: null });
      const before = tf.memory().numTensors;
      const { x, gamma, beta, R } = problem(d);
      const ref = (xs: number[][]) => refLayerNorm(xs[0]!, d, xs[1]!, xs[2]!);
      const [tx, tg, tb, tR] = [
        tf.tensor3d(x, [2, 3, d]),
        tf.tensor1d(gamma),
        tf.tensor1d(beta),
        tf.tensor3d(R, [2, 3, d]),
      ];
      const profile = await tf.profile(() => {
        const y = ln(tx, tg, tb);
        expectClose(y.dataSync(), ref([x, gamma, beta]), 1e-5);
        y.dispose();
      });
      // '' is the op of tf.customGrad around the kernel.
      expect(profile.kernelNames.filter((name) => name !== '')).toEqual([LAYER_NORM]);
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(ln(a, g, b), tR)),
      )([tx, tg, tb]);
      const expected = numericGrads(ref, [x, gamma, beta], R);
      // dx scales as rstd (rows up to 1e3 have a small one); gamma and beta sum over rows.
      for (const [i, g] of grads.entries()) expectClose(g.dataSync(), expected[i]!, 2e-4);
      tf.dispose([tx, tg, tb, tR, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('equals the stock-op formula, forward and backward', async () => {
    await initBackend({ backend, log: null });
    const d = 64;
    const { x, gamma, beta, R } = problem(d);
    const run = () =>
      tf.tidy(() => {
        const [tx, tg, tb, tR] = [
          tf.tensor3d(x, [2, 3, d]),
          tf.tensor1d(gamma),
          tf.tensor1d(beta),
          tf.tensor3d(R, [2, 3, d]),
        ];
        const y = layerNorm(tx, { gamma: tg, beta: tb });
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(layerNorm(a, { gamma: g, beta: b }), tR)),
        )([tx, tg, tb]);
        return [y, ...grads].map((t) => Array.from(t.dataSync()));
      });
    const fused = run();
    const kernels = [LAYER_NORM, LAYER_NORM_GRAD].map((name) => tf.getKernel(name, backend)!);
    for (const name of [LAYER_NORM, LAYER_NORM_GRAD]) tf.unregisterKernel(name, backend);
    let stock: number[][];
    try {
      stock = run();
    } finally {
      for (const kernel of kernels) tf.registerKernel(kernel);
    }
    for (const [i, values] of fused.entries()) expectClose(values, stock[i]!, 2e-5);
  });

  it('returns null for inputs the kernels do not take', async () => {
    await initBackend({ backend, log: null });
    tf.tidy(() => {
      const x = tf.ones([2, 4]);
      expect(fusedLayerNorm(x, tf.ones([3]), tf.zeros([4]), 1e-5)).toBeNull();
      expect(fusedLayerNorm(x, tf.ones([4]), tf.zeros([1, 4]), 1e-5)).toBeNull();
      expect(
        fusedLayerNorm(tf.ones([2, 4], 'int32'), tf.ones([4]), tf.zeros([4]), 1e-5),
      ).toBeNull();
    });
  });
});
