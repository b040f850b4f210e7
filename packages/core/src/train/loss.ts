/**
 * Loss and accuracy over padded target sequences: positions whose target is the padding id 0 count
 * for neither. Both take logits (before the softmax): the cross-entropy of logits has a cheap
 * closed-form gradient (softmax - onehot), where a softmax layer followed by a log costs a
 * clipped, element-wise backward pass over [batch, tgtLen, vocabSize] (bench/PERFORMANCE.md).
 *
 * The cross-entropy is one differentiable op (`tf.customGrad`) over [tokens, vocabSize]:
 *
 *   lse = log sum_j exp(x_j)             each row's log-sum-exp (ops/row-stats.ts)
 *   loss_t = lse - x_t = -log softmax(x)[t]
 *   d loss_t / d x = softmax(x) - onehot(t)  (e.g. Goodfellow et al. 2016, section 6.2.2.3)
 *
 * With label smoothing eps (Szegedy et al. 2016, section 7; PyTorch's
 * `nn.CrossEntropyLoss(label_smoothing=eps)`) the target is the distribution
 * q = (1 - eps) onehot(t) + eps / vocabSize instead of the onehot, and
 *
 *   loss_t = -sum_j q_j log softmax(x)_j = lse - (1 - eps) x_t - eps mean_j x_j
 *   d loss_t / d x = softmax(x) - q
 *
 * Stock `tf.losses.softmaxCrossEntropy` takes a onehot [tokens, vocabSize] and runs about ten
 * element-wise passes over it (two exponentials among them), most of a training step with a
 * 10,000-word output (bench/train-decode.bench.mjs).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { crossEntropyGrad, rowStats } from '../ops/row-stats.js';
import { takeAlongRows } from '../ops/take-along-rows.js';

/** Sums over one batch, so that batches of different sizes combine exactly into epoch means. */
export interface MaskedSums {
  /** Sum of the cross-entropy (label-smoothed, if asked) over real target tokens (scalar). */
  lossSum: tf.Scalar;
  /** Real (non-padding) target tokens (scalar). */
  tokens: tf.Scalar;
}

/** `MaskedSums` and the real target tokens the argmax of the logits predicts. */
export interface MaskedTokenSums extends MaskedSums {
  /** Real target tokens whose most likely prediction is the target (scalar). */
  correct: tf.Scalar;
}

/**
 * Per-token cross-entropy -log softmax(logits)[target] (nats), summed over the tokens whose
 * target is not padding, with the argmax accuracy on the way (it shares the argmax). logits
 * [batch, tgtLen, vocabSize] (any leading shape), targets int32 [batch, tgtLen]. With
 * `labelSmoothing` eps in [0, 1) (default 0) the cross-entropy is against the smoothed target
 * (1 - eps) onehot + eps / vocabSize, as PyTorch's `label_smoothing`.
 */
export function maskedTokenSums(
  logits: tf.Tensor,
  targets: tf.Tensor,
  labelSmoothing = 0,
): MaskedTokenSums {
  const eps = labelSmoothing;
  if (!(typeof eps === 'number' && eps >= 0 && eps < 1)) {
    throw invalidArgument('labelSmoothing', eps, 'a number in [0, 1)');
  }
  return tf.tidy(() => {
    const vocabSize = logits.shape[logits.rank - 1]!;
    const logits2d = tf.reshape(logits, [-1, vocabSize]); // [tokens, vocabSize]
    const rows = logits2d.shape[0]!;
    const target = tf.reshape(tf.cast(targets, 'int32'), [rows]); // [tokens]
    const mask = tf.cast(tf.notEqual(target, 0), 'float32'); // [tokens]
    const { best, logSumExp } = rowStats(logits2d as tf.Tensor2D); // [tokens], [tokens, 1]
    const targetColumn = tf.reshape(target, [rows, 1]) as tf.Tensor2D; // [tokens, 1]

    const crossEntropySum = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      // Saved, not captured: the tidy of this function frees them before backprop.
      save([x, logSumExp, mask, target]);
      const picked = takeAlongRows(x, targetColumn); // [tokens, 1]: x_t
      // [tokens, 1]: lse - x_t, or lse - (1 - eps) x_t - eps mean_j x_j with label smoothing.
      let perToken = tf.sub(logSumExp, eps === 0 ? picked : tf.mul(picked, 1 - eps));
      if (eps > 0) perToken = tf.sub(perToken, tf.mul(tf.mean(x, 1, true), eps));
      return {
        value: tf.sum(tf.mul(tf.reshape(perToken, [rows]), mask)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [x0, lse, m, t] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          return crossEntropyGrad(x0, lse, tf.mul(m, dy) as tf.Tensor1D, t, eps);
        },
      };
    });

    const hit = tf.logicalAnd(tf.equal(best, target), tf.cast(mask, 'bool'));
    return {
      lossSum: crossEntropySum(logits2d) as tf.Scalar,
      tokens: tf.sum(mask) as tf.Scalar,
      correct: tf.sum(tf.cast(hit, 'float32')) as tf.Scalar,
    };
  });
}

/**
 * Per-token cross-entropy -log softmax(logits)[target] (nats), summed over the tokens whose
 * target is not padding. logits [batch, tgtLen, vocabSize], targets int32 [batch, tgtLen];
 * `labelSmoothing` as in `maskedTokenSums`.
 */
export function maskedCrossEntropySums(
  logits: tf.Tensor,
  targets: tf.Tensor,
  labelSmoothing = 0,
): MaskedSums {
  return tf.tidy(() => {
    const { lossSum, tokens } = maskedTokenSums(logits, targets, labelSmoothing);
    return { lossSum, tokens };
  });
}

/**
 * Mean cross-entropy over the real target tokens: the training objective (PyTorch's
 * `nn.CrossEntropyLoss(ignore_index=0, label_smoothing=labelSmoothing)`). A batch of padding only
 * has loss 0 (the denominator is at least 1).
 */
export function maskedCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  labelSmoothing = 0,
): tf.Scalar {
  return tf.tidy(() => {
    const { lossSum, tokens } = maskedCrossEntropySums(logits, targets, labelSmoothing);
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
