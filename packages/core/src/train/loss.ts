/**
 * Loss and accuracy over padded target sequences: positions whose target is the padding id 0 count
 * for neither. Both take logits (before the softmax): the cross-entropy of logits has a cheap
 * closed-form gradient (softmax - onehot), where a softmax layer followed by a log costs a
 * clipped, element-wise backward pass over [batch, tgtLen, vocabSize] (PERF-NOTES.md).
 */
import * as tf from '@tensorflow/tfjs';

/** Sums over one batch, so that batches of different sizes combine exactly into epoch means. */
export interface MaskedSums {
  /** Sum of the cross-entropy over real target tokens (scalar). */
  lossSum: tf.Scalar;
  /** Real (non-padding) target tokens (scalar). */
  tokens: tf.Scalar;
}

/**
 * Per-token cross-entropy -log softmax(logits)[target] (nats), summed over the tokens whose
 * target is not padding. logits [batch, tgtLen, vocabSize], targets int32 [batch, tgtLen].
 */
export function maskedCrossEntropySums(logits: tf.Tensor, targets: tf.Tensor): MaskedSums {
  return tf.tidy(() => {
    const vocabSize = logits.shape[logits.rank - 1]!;
    const mask = tf.cast(tf.notEqual(targets, 0), 'float32'); // [batch, tgtLen]
    const onehot = tf.oneHot(tf.cast(targets, 'int32'), vocabSize); // [batch, tgtLen, vocabSize]
    const perToken = tf.losses.softmaxCrossEntropy(onehot, logits, undefined, 0, tf.Reduction.NONE); // [batch, tgtLen]
    return {
      lossSum: tf.sum(tf.mul(perToken, mask)) as tf.Scalar,
      tokens: tf.sum(mask) as tf.Scalar,
    };
  });
}

/**
 * Mean cross-entropy over the real target tokens: the training objective. A batch of padding only
 * has loss 0 (the denominator is at least 1).
 */
export function maskedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const { lossSum, tokens } = maskedCrossEntropySums(logits, targets);
    return tf.div(lossSum, tf.maximum(tokens, 1));
  });
}

/** Real target tokens whose most likely prediction (argmax of logits) is the target (scalar). */
export function maskedCorrect(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const mask = tf.notEqual(targets, 0);
    const hit = tf.equal(tf.argMax(logits, -1), tf.cast(targets, 'int32')); // [batch, tgtLen]
    return tf.sum(tf.cast(tf.logicalAnd(hit, mask), 'float32')) as tf.Scalar;
  });
}
