/**
 * Attention's padding mask: a softmax over source positions that gives padded positions zero
 * weight (d2l-ai, "Attention Scoring Functions", masked softmax).
 *
 * Padded scores are replaced by MASK_VALUE (-1e9), never by -Infinity: exp(-1e9 - max) underflows
 * to exactly 0 in float32, so a padded position gets weight 0, while a row whose positions are ALL
 * padded has every score equal to -1e9 and becomes uniform (1 / srcLen each) instead of NaN
 * (-Infinity - -Infinity = NaN). Such a row only occurs for an all-padding source sequence; its
 * uniform weights average padding vectors, which a loss mask should then ignore. Scores must be
 * finite, padded ones included (an infinite score times the mask's 0 is NaN).
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
    const [batchSize, , srcLen] = scores.shape;
    // [batch, srcLen] -> [batch, 1, srcLen]: 1 for a real position, 0 for padding, broadcast
    // over tgtLen by the arithmetic (a `where` needs it tiled to [batch, tgtLen, srcLen] first,
    // and wasm's Tile is slower than the attention products themselves).
    const real = tf.cast(tf.greater(tf.reshape(mask, [batchSize, 1, srcLen]), 0), 'float32');
    // Exact, not an approximation: score * 1 + 0 * MASK_VALUE = score (the product is -0), and
    // score * 0 + 1 * MASK_VALUE = MASK_VALUE for any finite score, so a fully masked row stays
    // exactly uniform. (score + (1 - mask) * MASK_VALUE would not: in float32, -1e9 + score
    // rounds to multiples of 64.)
    const masked = tf.add(tf.mul(scores, real), tf.mul(tf.sub(1, real), MASK_VALUE));
    return tf.softmax(masked as tf.Tensor3D, -1);
  });
}
