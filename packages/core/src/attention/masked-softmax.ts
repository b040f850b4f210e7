/**
 * The one place that knows about padding: a softmax over source positions that gives padded
 * positions zero weight (d2l-ai, "Attention Scoring Functions", masked softmax).
 *
 * Padded scores are replaced by MASK_VALUE (-1e9), never by -Infinity: exp(-1e9 - max) underflows
 * to exactly 0 in float32, so a padded position gets weight 0, while a row whose positions are ALL
 * padded has every score equal to -1e9 and becomes uniform (1 / srcLen each) instead of NaN
 * (-Infinity - -Infinity = NaN). Such a row only occurs for an all-padding source sequence; its
 * uniform weights average padding vectors, which a loss mask should then ignore.
 */
import * as tf from '@tensorflow/tfjs';
import { badAttentionShape } from '../errors.js';

/** The score given to padded positions before the softmax. */
export const MASK_VALUE = -1e9;

/**
 * softmax over the last axis of `scores` [batch, tgtLen, srcLen], skipping the positions where
 * `mask` [batch, srcLen] is 0 (1 marks a real token, 0 padding; the same for every query
 * position). Without a mask it is a plain softmax.
 */
export function maskedSoftmax(scores: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor3D {
  if (scores.rank !== 3) throw badAttentionShape('scores', scores.shape, '[batch, tgtLen, srcLen]');
  const [b, , s] = scores.shape;
  if (mask !== undefined && (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== s)) {
    throw badAttentionShape('mask', mask.shape, `[batch=${b}, srcLen=${s}]`);
  }
  return tf.tidy(() => {
    if (mask === undefined) return tf.softmax(scores, -1);
    const [batchSize, tgtLen, srcLen] = scores.shape;
    // [batch, srcLen] -> [batch, 1, srcLen] -> [batch, tgtLen, srcLen]
    const real = tf.broadcastTo(tf.greater(tf.reshape(mask, [batchSize, 1, srcLen]), 0), [
      batchSize,
      tgtLen,
      srcLen,
    ]);
    // `where` (not scores + (1 - mask) * MASK_VALUE) keeps a fully masked row exactly uniform:
    // in float32, -1e9 + score rounds to multiples of 64 and would make it depend on the scores.
    const masked = tf.where(real, scores, tf.fill(scores.shape, MASK_VALUE));
    return tf.softmax(masked, -1);
  });
}
