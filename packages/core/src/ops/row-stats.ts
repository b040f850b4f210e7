/**
 * What search and the training loss need of a matrix of logits x [rows, vocabSize], as small ops:
 *
 *   rowStats(x)          best = argmax per row, lse = log sum_j exp(x_j), x_best - lse
 *   rowTopK(x, k)        each row's k largest logits and their indices (as tf.topk), and lse
 *   crossEntropyGrad     (softmax(x) - q) * scale, the gradient of the cross-entropy against the
 *                        target q = onehot(t), or its label-smoothed (1 - eps) onehot(t) + eps / V
 *
 * with log softmax(x) = x - lse. Each op is written here in plain TF.js; on a backend that has
 * encdec's fused kernel for it (wasm: backend/kernels/wasm-row-stats.ts) the kernel computes the
 * same values in fewer passes over the row. Tests check that both agree.
 */
import * as tf from '@tensorflow/tfjs';
import * as kernels from '../backend/kernels/wasm-row-stats.js';
import { takeAlongRows } from './take-along-rows.js';

/** Statistics of each row of logits [rows, vocabSize]. */
export interface RowStats {
  /** [rows] int32: the most likely token (the lowest index among equal maxima, as tf.argMax). */
  best: tf.Tensor1D;
  /** [rows, 1]: log sum_j exp(x_j), so that x - logSumExp are the log-probabilities. */
  logSumExp: tf.Tensor2D;
  /** [rows, 1]: the log-probability of `best`. */
  bestLogProb: tf.Tensor2D;
}

/** The k largest logits of each row and the row's log-sum-exp. */
export interface RowTopK {
  /** [rows, k]: largest first; equal values by ascending index, as tf.topk. */
  values: tf.Tensor2D;
  /** [rows, k] int32: their token ids. */
  indices: tf.Tensor2D;
  /** [rows, 1]: as in `RowStats`. */
  logSumExp: tf.Tensor2D;
}

/** `RowStats` of logits [rows, vocabSize]. */
export function rowStats(logits: tf.Tensor2D): RowStats {
  const fused = kernels.rowStats(logits);
  if (fused === null) return rowStatsTfjs(logits);
  const [best, logSumExp, bestLogProb] = fused;
  return { best, logSumExp, bestLogProb };
}

/** `RowStats` in stock TF.js ops. */
export function rowStatsTfjs(logits: tf.Tensor2D): RowStats {
  return tf.tidy(() => {
    const rows = logits.shape[0];
    const best = tf.argMax(logits, 1) as tf.Tensor1D; // [rows]
    const logSumExp = tf.logSumExp(logits, 1, true) as tf.Tensor2D; // [rows, 1]
    const at = tf.reshape(best, [rows, 1]) as tf.Tensor2D; // [rows, 1]
    const bestLogProb = tf.sub(takeAlongRows(logits, at), logSumExp) as tf.Tensor2D;
    return { best, logSumExp, bestLogProb };
  });
}

/**
 * `RowTopK` of logits [rows, vocabSize], k <= vocabSize. Where the fused kernel does not take k
 * (above its largest), the top k come from tf.topk and the log-sum-exp from `rowStats`, which
 * still has its own kernel.
 */
export function rowTopK(logits: tf.Tensor2D, k: number): RowTopK {
  const fused = kernels.rowTopK(logits, k);
  if (fused !== null) {
    const [values, indices, logSumExp] = fused;
    return { values, indices, logSumExp };
  }
  return tf.tidy(() => {
    const { values, indices } = tf.topk(logits, k); // [rows, k] each
    const { logSumExp } = rowStats(logits);
    return { values: values as tf.Tensor2D, indices: indices as tf.Tensor2D, logSumExp };
  });
}

/** `RowTopK` in stock TF.js ops. */
export function rowTopKTfjs(logits: tf.Tensor2D, k: number): RowTopK {
  return tf.tidy(() => {
    const { values, indices } = tf.topk(logits, k); // [rows, k] each
    const logSumExp = tf.logSumExp(logits, 1, true) as tf.Tensor2D; // [rows, 1]
    return { values: values as tf.Tensor2D, indices: indices as tf.Tensor2D, logSumExp };
  });
}

/**
 * (softmax(x) - q) * scale of logits x [rows, vocabSize], given their log-sum-exp `logSumExp`
 * [rows, 1], `scale` float32 [rows] and `target` int32 [rows]: the gradient of
 * scale * -sum_j q_j log softmax(x)_j (e.g. Goodfellow et al. 2016, section 6.2.2.3), with
 * q = (1 - smoothing) onehot(target) + smoothing / vocabSize (smoothing 0: the onehot).
 */
export function crossEntropyGrad(
  x: tf.Tensor2D,
  logSumExp: tf.Tensor2D,
  scale: tf.Tensor1D,
  target: tf.Tensor1D,
  smoothing = 0,
): tf.Tensor2D {
  const plain = () =>
    kernels.crossEntropyGrad(x, logSumExp, scale, target) ??
    crossEntropyGradTfjs(x, logSumExp, scale, target);
  if (smoothing === 0) return plain();
  return tf.tidy(() => {
    // softmax - q = (softmax - onehot) + smoothing * (onehot - 1 / vocabSize), times scale.
    const [rows, vocabSize] = x.shape;
    const epsScale = tf.mul(scale, smoothing) as tf.Tensor1D; // [rows]
    const onehot = scatterAtTargets(target, epsScale, vocabSize); // [rows, vocabSize]
    const uniform = tf.reshape(tf.div(epsScale, vocabSize), [rows, 1]); // [rows, 1]
    return tf.add(plain(), tf.sub(onehot, uniform)) as tf.Tensor2D;
  });
}

/** `crossEntropyGrad` in stock TF.js ops. */
export function crossEntropyGradTfjs(
  x: tf.Tensor2D,
  logSumExp: tf.Tensor2D,
  scale: tf.Tensor1D,
  target: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, vocabSize] = x.shape;
    const probs = tf.exp(tf.sub(x, logSumExp)); // [rows, vocabSize]
    // The onehot as a scatter of -scale: no [rows, vocabSize] onehot to build and cast.
    const minusScale = scatterAtTargets(target, tf.neg(scale), vocabSize); // [rows, vocabSize]
    return tf.add(tf.mul(probs, tf.reshape(scale, [rows, 1])), minusScale) as tf.Tensor2D;
  });
}

/** [rows, vocabSize]: values[r] at column target[r] of row r, 0 elsewhere (a scaled onehot). */
function scatterAtTargets(
  target: tf.Tensor1D,
  values: tf.Tensor1D,
  vocabSize: number,
): tf.Tensor2D {
  const rows = target.shape[0];
  const at = tf.stack([tf.range(0, rows, 1, 'int32'), tf.cast(target, 'int32')], 1); // [rows, 2]
  return tf.scatterND(at, values, [rows, vocabSize]) as tf.Tensor2D;
}
