/**
 * log softmax of each row of logits [rows, vocabSize], from the backend's softmax kernel:
 *
 *   p = softmax(x),  lse = max(x) - log max(p),  log softmax(x) = x - lse
 *
 * since the largest probability is exp(max(x) - lse) and never below 1/vocabSize, so its log
 * does not underflow (the log of every p would). On wasm the softmax is one vectorized XNNPACK
 * kernel, while `tf.logSoftmax` runs Max, Sub, Exp, Sum, Log and Sub, its Exp alone ~10x the
 * softmax (a decoding step of the seed model: 4.7 ms against ~0.8, bench/train-decode.bench.mjs).
 */
import * as tf from '@tensorflow/tfjs';

export function logSoftmaxRows(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const probs = tf.softmax(logits); // [rows, vocabSize]
    const logSumExp = tf.sub(tf.max(logits, 1, true), tf.log(tf.max(probs, 1, true))); // [rows, 1]
    return tf.sub(logits, logSumExp);
  });
}
