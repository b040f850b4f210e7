/**
 * Perplexity: exp of the mean negative log-likelihood per target token, PP = exp(-1/N sum log p),
 * either from a mean NLL (e.g. a cross-entropy loss in nats) or from a model's log-probabilities
 * and the targets, with padding masked out.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { takeAlongRows } from '../ops/take-along-rows.js';

/** Perplexity from a mean negative log-likelihood per token, in nats: exp(meanNll). */
export function perplexityFromNll(meanNll: number): number {
  if (typeof meanNll !== 'number' || Number.isNaN(meanNll) || meanNll < 0) {
    throw invalidArgument('meanNll', meanNll, 'a number >= 0 (nats per token)');
  }
  return Math.exp(meanNll);
}

/** Options of `perplexity`. */
export interface PerplexityOptions {
  /** Target id that is padding and not counted (an integer). Default 0. Ignored with a `mask`. */
  padId?: number;
  /** [...targets.shape]: 1 where a token counts, 0 where it does not. Default targets != padId. */
  mask?: tf.Tensor;
}

/**
 * Perplexity of `targets` ([...batch] token ids) under `logProbs` ([...batch, vocabSize], a
 * log-softmax), e.g. [batchSize, tgtLen, vocabSize] and [batchSize, tgtLen]. Every counted target
 * must be an integer in [0, vocabSize) (an id outside would read another position's probability).
 * Reads the targets (and mask) and one number pair back; disposes nothing it was given. NaN when
 * the mask counts no token.
 */
export function perplexity(
  logProbs: tf.Tensor,
  targets: tf.Tensor,
  options: PerplexityOptions = {},
): number {
  const { padId = 0, mask } = options;
  const batchShape = logProbs.shape.slice(0, -1);
  if (logProbs.rank < 2) {
    throw invalidArgument('logProbs', logProbs.shape, 'a tensor [...batch, vocabSize] (rank >= 2)');
  }
  if (targets.shape.join() !== batchShape.join()) {
    throw invalidArgument('targets', targets.shape, `of shape ${JSON.stringify(batchShape)}`);
  }
  if (mask && mask.shape.join() !== batchShape.join()) {
    throw invalidArgument('mask', mask.shape, `of shape ${JSON.stringify(batchShape)}`);
  }
  if (!Number.isInteger(padId)) throw invalidArgument('padId', padId, 'an integer');
  const vocabSize = logProbs.shape.at(-1)!;
  checkTargetIds(targets, mask, padId, vocabSize);
  const [nll, count] = tf.tidy(() => {
    const flat = tf.reshape(logProbs, [-1, vocabSize]); // [N, vocabSize]
    const ids = tf.reshape(tf.cast(targets, 'int32'), [-1, 1]); // [N, 1]
    const picked = tf.reshape(takeAlongRows(flat as tf.Tensor2D, ids as tf.Tensor2D), [-1]); // [N]: log p(target)
    const weight = tf.reshape(
      mask ? tf.cast(mask, 'float32') : tf.cast(tf.notEqual(ids, padId), 'float32'),
      [-1],
    ); // [N]
    // where() keeps -Infinity log-probabilities of masked tokens from turning 0 * -inf into NaN.
    const counted = tf.where(tf.greater(weight, 0), tf.mul(picked, weight), tf.zerosLike(picked));
    return tf.stack([tf.neg(tf.sum(counted)), tf.sum(weight)]).dataSync();
  });
  return Math.exp(nll! / count!);
}

/** Throws, naming the position, at the first counted target that is not an id in [0, vocabSize). */
function checkTargetIds(
  targets: tf.Tensor,
  mask: tf.Tensor | undefined,
  padId: number,
  vocabSize: number,
): void {
  const ids = targets.dataSync();
  const weights = mask?.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const counted = weights ? weights[i]! > 0 : id !== padId;
    if (counted && !(Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      const position = targets.shape.map((_, axis) => {
        const stride = targets.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        return Math.floor(i / stride) % targets.shape[axis]!;
      });
      throw invalidArgument(
        `targets[${position.join(', ')}]`,
        id,
        `an integer token id in [0, ${vocabSize})`,
      );
    }
  }
}
