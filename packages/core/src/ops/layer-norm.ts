/**
 * LayerNorm over the last axis, (x - mean) / sqrt(var + epsilon) * gamma + beta (Ba et al. 2016),
 * as one differentiable op of two kernels (backend/kernels/layer-norm.ts: the forward pass keeps
 * each row's mean and 1 / sqrt(var + epsilon) for the backward pass, which computes dx, dgamma
 * and dbeta in one kernel). The formula a reader follows, in stock ops, is `layerNorm` in
 * model/transformer-blocks.ts, which calls this first; tests check that both agree.
 */
import * as tf from '@tensorflow/tfjs';
import { hasLayerNormKernels, LAYER_NORM, LAYER_NORM_GRAD } from '../backend/kernels/layer-norm.js';

/**
 * LayerNorm of x [..., d] with gamma, beta [d], [..., d]; null when the current backend has no
 * kernels for it or the inputs are not float32 x [..., d] with gamma and beta [d].
 */
export function fusedLayerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): tf.Tensor | null {
  const d = x.shape[x.rank - 1];
  const fits = [x, gamma, beta].every((t) => t.dtype === 'float32') && x.rank >= 1;
  if (!fits || gamma.shape.join() !== `${d}` || beta.shape.join() !== `${d}`) return null;
  if (!hasLayerNormKernels()) return null;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x0, g0, b0, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, rstd] = tf
      .engine()
      .runKernel(LAYER_NORM, { x: x0, gamma: g0, beta: b0 }, { epsilon }) as unknown as tf.Tensor[];
    save([x0, mean!, rstd!, g0]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, m, r, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf
          .engine()
          .runKernel(LAYER_NORM_GRAD, { dy, x: xs, mean: m, rstd: r, gamma: g }) as unknown as [
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
        ];
      },
    };
  });
  return op(x, gamma, beta);
}
