/**
 * The final LayerNorm of a pre-norm Transformer stack (transformer-encoder.ts, transformer-decoder.ts),
 * run eagerly by `layerNorm` of transformer-blocks.ts with the weights of the stack's Keras
 * `layerNormalization` layer (which the saved Keras model keeps). The same formula as the layer's;
 * the layer itself broadcasts its mean, variance, gamma and beta to the input's shape with `Tile`
 * before a batch-norm kernel, and the gradient of `Tile` in TF.js is one `Slice` and one `Add` per
 * repeat: 6,400 of each for a [64, 100, 64] input (bench/PERFORMANCE.md, the Transformer section).
 */
import type * as tf from '@tensorflow/tfjs';
import { layerNorm } from './transformer-blocks.js';

/** x [..., dModel] normalized over its last axis with `layer`'s gamma and beta, [..., dModel]. */
export function applyFinalNorm<T extends tf.Tensor>(layer: tf.layers.Layer, x: T): T {
  const [gamma, beta] = layer.trainableWeights; // [dModel] each, in the layer's order
  return layerNorm(x, { gamma: gamma!.read(), beta: beta!.read() }) as T;
}
