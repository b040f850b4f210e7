/**
 * Attention as one function (d2l-ai, "Attention Mechanisms and Transformers"):
 *
 *   1. scores  = score(query, keys)             [batch, tgtLen, srcLen]   (scores.ts, per kind)
 *   2. weights = maskedSoftmax(scores, mask)    [batch, tgtLen, srcLen]   (masked-softmax.ts)
 *   3. context = weights x values               [batch, tgtLen, dv]
 *
 * Only step 1 depends on the kind. Dimension names: batch, tgtLen (query positions: decoder steps,
 * 1 when decoding step by step), srcLen (key/value positions: encoder steps), dq, dk, dv (sizes of
 * a query, key and value vector).
 */
import * as tf from '@tensorflow/tfjs';
import { badAttentionShape, unknownAttentionKind } from '../errors.js';
import { ATTENTION_KINDS, type AttentionKind, isAttentionKind } from './kinds.js';
import { maskedSoftmax } from './masked-softmax.js';
import { type AttentionParams, attentionScores } from './scores.js';

export interface AttentionOptions {
  /** Scoring function; see `ATTENTION_KINDS`. */
  kind: AttentionKind;
  /**
   * [batch, srcLen], 1 for a real source token and 0 for padding, the same for every query
   * position. Default: no padding.
   */
  mask?: tf.Tensor;
  /** Weights of the `general` (W) and `additive` (Wq, Wk, v) kinds. */
  params?: AttentionParams;
}

export interface AttentionResult {
  /** The weighted sums of the values, [batch, tgtLen, dv]. */
  context: tf.Tensor3D;
  /** The attention weights, [batch, tgtLen, srcLen]; each row sums to 1. */
  weights: tf.Tensor3D;
}

/**
 * Attends from `query` [batch, tgtLen, dq] over `keys` [batch, srcLen, dk] and averages `values`
 * [batch, srcLen, dv] with the resulting weights. The caller owns (and disposes) the result.
 */
export function attention(
  query: tf.Tensor,
  keys: tf.Tensor,
  values: tf.Tensor,
  options: AttentionOptions,
): AttentionResult {
  const { kind, mask, params } = options;
  if (!isAttentionKind(kind)) throw unknownAttentionKind(kind, ATTENTION_KINDS);
  checkAttentionInputs(query, keys, values, mask);
  return tf.tidy(() => {
    const scores = attentionScores(kind, query as tf.Tensor3D, keys as tf.Tensor3D, params);
    const weights = maskedSoftmax(scores, mask as tf.Tensor2D | undefined);
    // [batch, tgtLen, srcLen] x [batch, srcLen, dv] -> [batch, tgtLen, dv]
    const context = tf.matMul(weights, values as tf.Tensor3D) as tf.Tensor3D;
    return { context, weights };
  });
}

/**
 * softmax(q k^T / sqrt(d_k)) v (Vaswani et al. 2017, eq. 1) for q [batch, tgtLen, dk],
 * k [batch, srcLen, dk], v [batch, srcLen, dv] and an optional padding mask [batch, srcLen].
 * Returns `output` [batch, tgtLen, dv] and `weights` [batch, tgtLen, srcLen].
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask?: tf.Tensor,
): { output: tf.Tensor3D; weights: tf.Tensor3D } {
  const { context, weights } = attention(q, k, v, { kind: 'scaledDot', mask });
  return { output: context, weights };
}

/** Checks ranks and the sizes the inputs must share; the scoring function checks the rest. */
function checkAttentionInputs(
  query: tf.Tensor,
  keys: tf.Tensor,
  values: tf.Tensor,
  mask: tf.Tensor | undefined,
): void {
  if (query.rank !== 3) throw badAttentionShape('query', query.shape, '[batch, tgtLen, dq]');
  const batchSize = query.shape[0];
  if (keys.rank !== 3 || keys.shape[0] !== batchSize) {
    throw badAttentionShape('keys', keys.shape, `[batch=${batchSize}, srcLen, dk]`);
  }
  const srcLen = keys.shape[1];
  if (values.rank !== 3 || values.shape[0] !== batchSize || values.shape[1] !== srcLen) {
    throw badAttentionShape('values', values.shape, `[batch=${batchSize}, srcLen=${srcLen}, dv]`);
  }
  if (
    mask !== undefined &&
    (mask.rank !== 2 || mask.shape[0] !== batchSize || mask.shape[1] !== srcLen)
  ) {
    throw badAttentionShape('mask', mask.shape, `[batch=${batchSize}, srcLen=${srcLen}]`);
  }
}
