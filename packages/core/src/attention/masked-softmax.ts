/**
 * Attention's mask: a softmax over key positions that gives masked positions zero weight (d2l-ai,
 * "Attention Scoring Functions", masked softmax). It is the one place that applies a mask: padding
 * masks, the Transformer's causal mask and their product all come here.
 *
 * Masked scores are replaced by MASK_VALUE (-1e9), never by -Infinity: exp(-1e9 - max) underflows
 * to exactly 0 in float32, so a masked position gets weight 0, while a row whose positions are ALL
 * masked has every score equal to -1e9 and becomes uniform (1 / srcLen each) instead of NaN
 * (-Infinity - -Infinity = NaN). Such a row only occurs for an all-padding source sequence; its
 * uniform weights average padding vectors, which a loss mask should then ignore. Scores must be
 * finite, masked ones included (an infinite score times the mask's 0 is NaN).
 */
import * as tf from '@tensorflow/tfjs';
import { badAttentionShape, show } from '../errors.js';

/** The score given to masked positions before the softmax. */
export const MASK_VALUE = -1e9;

/**
 * softmax over the last axis of `scores` [..., tgtLen, srcLen] (rank >= 3: [batch, tgtLen, srcLen],
 * or [batch, heads, tgtLen, srcLen] with heads), skipping the positions where `mask` is 0. Without
 * a mask it is a plain softmax. `mask` is either
 * - [batch, srcLen]: 1 marks a real token, 0 padding, the same for every query position (and head);
 * - a 1/0 tensor of the scores' rank whose every dimension is 1 or the scores' size, broadcast to
 *   them: [batch, 1, 1, srcLen] padding, [1, 1, tgtLen, srcLen] causal, or their product.
 */
export function maskedSoftmax<T extends tf.Tensor>(scores: T, mask?: tf.Tensor): T {
  if (scores.rank < 3) throw badAttentionShape('scores', scores.shape, '[batch, tgtLen, srcLen]');
  checkMask(scores.shape, mask);
  return tf.tidy(() => {
    if (mask === undefined) return tf.softmax(scores, -1) as T;
    const shape = scores.shape;
    // [batch, srcLen] -> [batch, 1, ..., 1, srcLen]: 1 for a real position, 0 for padding,
    // broadcast over tgtLen (and heads) by the arithmetic (a `where` needs it tiled to the scores'
    // shape first, and wasm's Tile is slower than the attention products themselves).
    const full =
      mask.rank === 2 && shape.length > 2
        ? tf.reshape(mask, [shape[0]!, ...shape.slice(1, -1).map(() => 1), shape.at(-1)!])
        : mask;
    const real = tf.cast(tf.greater(full, 0), 'float32');
    // Exact, not an approximation: score * 1 + 0 * MASK_VALUE = score (the product is -0), and
    // score * 0 + 1 * MASK_VALUE = MASK_VALUE for any finite score, so a fully masked row stays
    // exactly uniform. (score + (1 - mask) * MASK_VALUE would not: in float32, -1e9 + score
    // rounds to multiples of 64.)
    const masked = tf.add(tf.mul(scores, real), tf.mul(tf.sub(1, real), MASK_VALUE));
    return tf.softmax(masked, -1) as T;
  });
}

/** Throws unless `mask` is [batch, srcLen] or of the scores' rank and broadcastable to them. */
function checkMask(shape: readonly number[], mask: tf.Tensor | undefined): void {
  if (mask === undefined) return;
  const b = shape[0]!;
  const s = shape.at(-1)!;
  if (mask.rank === 2) {
    if (mask.shape[0] !== b || mask.shape[1] !== s) {
      throw badAttentionShape('mask', mask.shape, `[batch=${b}, srcLen=${s}]`);
    }
    return;
  }
  const broadcastable =
    mask.rank === shape.length && mask.shape.every((d, i) => d === 1 || d === shape[i]);
  if (!broadcastable) {
    throw badAttentionShape(
      'mask',
      mask.shape,
      `[batch=${b}, srcLen=${s}], or of rank ${shape.length} with each dimension 1 or that of the scores ${show(shape)}`,
    );
  }
}
