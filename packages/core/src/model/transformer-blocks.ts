/**
 * The Transformer's blocks as functions of their weights (Vaswani et al. 2017, section 3), in the
 * order a reader meets them: LayerNorm -> position-wise feed-forward -> encoder layer -> decoder
 * layer. The registered layers (layers/transformer-*-layer.ts) own the weights and call these in
 * `call()`; the eager encoder and decoder call them directly, so training, `forward` and the
 * cached decoding step run the same code.
 *
 *   encoder layer, pre-norm:  x = x + Drop(SelfAttn(LN1(x)));  x = x + Drop(FF(LN2(x)))
 *   encoder layer, post-norm: x = LN1(x + Drop(SelfAttn(x)));  x = LN2(x + Drop(FF(x)))
 *   decoder layer: the same with a causal self-attention, then cross-attention over the encoder
 *   outputs (queries from the decoder, keys and values from the encoder), then the feed-forward.
 *
 * The decoder's self-attention takes an optional cache of the keys and values of earlier positions:
 * teacher forcing runs all tgtLen positions with no cache, a decoding step one new position over
 * the cache (Hugging Face's `past_key_values`). Dimension names: batch, len (positions run now),
 * past (cached positions), srcLen, heads, dk = dModel / heads.
 */
import * as tf from '@tensorflow/tfjs';
import type { MultiHeadParams } from '../attention/multi-head.js';
import { attendHeads, causalMask, mergeHeads, splitHeads } from '../attention/multi-head.js';
import { linear } from '../attention/scores.js';
import { fusedLayerNorm } from '../ops/layer-norm.js';
import { tidyResult } from './tidy.js';
import type { NormPlacement } from './transformer-config.js';

/** LayerNorm's epsilon: PyTorch's nn.LayerNorm default, so weights carry over unchanged. */
export const LAYER_NORM_EPSILON = 1e-5;

export interface LayerNormParams {
  /** [dModel], the gain (ones at the start). */
  gamma: tf.Tensor;
  /** [dModel], the bias (zeros at the start). */
  beta: tf.Tensor;
}

/** (x - mean) / sqrt(var + eps) * gamma + beta over the last axis (Ba et al. 2016). */
export function layerNorm(x: tf.Tensor, p: LayerNormParams): tf.Tensor {
  // One kernel each way where the backend has them (ops/layer-norm.ts); this formula otherwise.
  const fused = fusedLayerNorm(x, p.gamma, p.beta, LAYER_NORM_EPSILON);
  if (fused !== null) return fused;
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true); // each [..., 1]
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON)));
    return tf.add(tf.mul(normed, p.gamma), p.beta);
  });
}

export interface FeedForwardParams {
  /** [dModel, ffDim] */
  W1: tf.Tensor;
  /** [ffDim] */
  b1: tf.Tensor;
  /** [ffDim, dModel] */
  W2: tf.Tensor;
  /** [dModel] */
  b2: tf.Tensor;
}

/** FFN(x) = max(0, x W1 + b1) W2 + b2, the same at every position (the paper's eq. 2). */
export function feedForward(x: tf.Tensor3D, p: FeedForwardParams): tf.Tensor3D {
  return tf.tidy(() => linear(tf.relu(linear(x, p.W1, p.b1)) as tf.Tensor3D, p.W2, p.b2));
}

/** How a block runs: the heads, the LayerNorm placement, and dropout while training. */
export interface BlockOptions {
  numHeads: number;
  norm: NormPlacement;
  /** Dropout rate on each sub-layer's output; applied only when `training`. */
  dropout: number;
  training: boolean;
}

/** Keys and values per head, [batch, heads, positions, dk]. */
export type KeyValues = {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
};

/** x [batch, len, dIn] -> the keys and values of every head, each [batch, heads, len, dk]. */
export function projectKeyValues(x: tf.Tensor3D, p: MultiHeadParams, numHeads: number): KeyValues {
  return tf.tidy(() => ({
    k: splitHeads(linear(x, p.Wk, p.bk), numHeads),
    v: splitHeads(linear(x, p.Wv, p.bv), numHeads),
  }));
}

/**
 * Multi-head attention of queries x [batch, len, dModel] over given keys and values: the paper's
 * MultiHead(Q, K, V) with K and V projected already (by `projectKeyValues`, once per source for
 * cross-attention, or grown step by step for the decoder's self-attention).
 * mask: 1/0, broadcastable to [batch, heads, len, positions].
 */
export function attendOver(
  x: tf.Tensor3D,
  kv: KeyValues,
  p: MultiHeadParams,
  numHeads: number,
  mask?: tf.Tensor,
): { output: tf.Tensor3D; weights: tf.Tensor4D } {
  return tf.tidy(() => {
    const q = splitHeads(linear(x, p.Wq, p.bq), numHeads); // [batch, heads, len, dk]
    const { context, weights } = attendHeads(q, kv.k, kv.v, mask); // [batch, heads, len, dk]
    return { output: linear(mergeHeads(context), p.Wo, p.bo), weights }; // [batch, len, dModel]
  });
}

/**
 * One residual sub-layer: x + Drop(f(LN(x))) (pre-norm) or LN(x + Drop(f(x))) (post-norm), where f
 * is attention or the feed-forward network.
 */
function residual(
  x: tf.Tensor3D,
  norm: LayerNormParams,
  options: BlockOptions,
  f: (h: tf.Tensor3D) => tf.Tensor3D,
): tf.Tensor3D {
  const pre = options.norm === 'pre';
  let y = f(pre ? (layerNorm(x, norm) as tf.Tensor3D) : x);
  if (options.training && options.dropout > 0) y = tf.dropout(y, options.dropout) as tf.Tensor3D;
  const sum = tf.add(x, y) as tf.Tensor3D;
  return pre ? sum : (layerNorm(sum, norm) as tf.Tensor3D);
}

export interface EncoderLayerParams {
  norm1: LayerNormParams;
  selfAttention: MultiHeadParams;
  norm2: LayerNormParams;
  feedForward: FeedForwardParams;
}

/**
 * One encoder layer on x [batch, srcLen, dModel]; srcMask [batch, srcLen] (1 real, 0 padding)
 * keeps every position from attending to padding. Returns the new x and the self-attention
 * weights [batch, heads, srcLen, srcLen].
 */
export function encoderLayer(
  x: tf.Tensor3D,
  srcMask: tf.Tensor,
  p: EncoderLayerParams,
  options: BlockOptions,
): { output: tf.Tensor3D; weights: tf.Tensor4D } {
  return tidyResult(() => {
    const [batch, srcLen] = x.shape;
    const keyMask = tf.reshape(srcMask, [batch, 1, 1, srcLen]); // broadcast over heads, queries
    let weights: tf.Tensor4D | undefined;
    let y = residual(x, p.norm1, options, (h) => {
      const kv = projectKeyValues(h, p.selfAttention, options.numHeads);
      const attended = attendOver(h, kv, p.selfAttention, options.numHeads, keyMask);
      weights = attended.weights;
      return attended.output;
    });
    y = residual(y, p.norm2, options, (h) => feedForward(h, p.feedForward));
    return { output: y, weights: weights! };
  });
}

export interface DecoderLayerParams {
  norm1: LayerNormParams;
  selfAttention: MultiHeadParams;
  norm2: LayerNormParams;
  crossAttention: MultiHeadParams;
  norm3: LayerNormParams;
  feedForward: FeedForwardParams;
}

/** What a decoder layer returns; the caller disposes it. */
export interface DecoderLayerResult {
  /** [batch, len, dModel] */
  output: tf.Tensor3D;
  /** Keys and values of every position so far (the cache given plus the len new ones). */
  cache: KeyValues;
  /** [batch, heads, len, past + len] */
  selfWeights: tf.Tensor4D;
  /** [batch, heads, len, srcLen] */
  crossWeights: tf.Tensor4D;
}

/**
 * One decoder layer on the len new positions y [batch, len, dModel], which follow the `past`
 * cached ones (none: teacher forcing from position 0). `memory` holds the cross-attention's keys
 * and values of the encoder outputs, srcMask [batch, srcLen] their padding.
 */
export function decoderLayer(
  y: tf.Tensor3D,
  past: KeyValues | undefined,
  memory: KeyValues,
  srcMask: tf.Tensor,
  p: DecoderLayerParams,
  options: BlockOptions,
): DecoderLayerResult {
  return tidyResult(() => {
    const { numHeads } = options;
    const [batch, len] = y.shape;
    const srcLen = srcMask.shape[1]!;
    let cache: KeyValues | undefined;
    let selfWeights: tf.Tensor4D | undefined;
    let crossWeights: tf.Tensor4D | undefined;
    let x = residual(y, p.norm1, options, (h) => {
      const fresh = projectKeyValues(h, p.selfAttention, numHeads); // [batch, heads, len, dk]
      cache = past
        ? { k: tf.concat([past.k, fresh.k], 2), v: tf.concat([past.v, fresh.v], 2) }
        : fresh; // [batch, heads, past + len, dk]
      // Query i (position past + i) sees keys 0 .. past + i: [1, 1, len, past + len]
      const future = causalMask(len, cache.k.shape[2]);
      const attended = attendOver(h, cache, p.selfAttention, numHeads, future);
      selfWeights = attended.weights;
      return attended.output;
    });
    const keyMask = tf.reshape(srcMask, [batch, 1, 1, srcLen]);
    x = residual(x, p.norm2, options, (h) => {
      const attended = attendOver(h, memory, p.crossAttention, numHeads, keyMask);
      crossWeights = attended.weights;
      return attended.output;
    });
    x = residual(x, p.norm3, options, (h) => feedForward(h, p.feedForward));
    return { output: x, cache: cache!, selfWeights: selfWeights!, crossWeights: crossWeights! };
  });
}
