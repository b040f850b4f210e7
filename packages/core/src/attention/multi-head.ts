/**
 * Multi-head attention (Vaswani et al. 2017, section 3.2.2), as functions:
 *
 *   MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O,
 *   head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V),  Attention = softmax(q k^T / sqrt(d_k)) v
 *
 *   1. project   q = query Wq + bq, k = keyValue Wk + bk, v = keyValue Wv + bv   (rank-2 products)
 *   2. split     [batch, len, heads * d] -> [batch, heads, len, d]               (splitHeads)
 *   3. attend    every head at once: scaled dot scores, masked softmax, weighted sum (attendHeads)
 *   4. merge     [batch, heads, tgtLen, dv] -> [batch, tgtLen, heads * dv]       (mergeHeads)
 *   5. output    merged Wo + bo                                                  [batch, tgtLen, dModel]
 *
 * The h projections W_i^Q of the paper are the column blocks of one Wq [dQuery, heads * dk] (head i
 * owns columns i*dk .. (i+1)*dk - 1), as in PyTorch's nn.MultiheadAttention (whose in_proj_weight
 * holds Wq^T). Dimension names: batch, heads, tgtLen (query positions), srcLen (key/value
 * positions), dk (a head's query/key size, keyDim), dv (a head's value size, valueDim), dModel
 * (the output size). Masks go through `maskedSoftmax`, the only code that applies them.
 */
import * as tf from '@tensorflow/tfjs';
import { positiveInt } from '../checks.js';
import { badAttentionShape, invalidArgument } from '../errors.js';
import { maskedSoftmax } from './masked-softmax.js';
import { linear, scaledDotScores } from './scores.js';

/** [batch, len, numHeads * d] -> [batch, numHeads, len, d]: head i takes the i-th block of d columns. */
export function splitHeads(x: tf.Tensor3D, numHeads: number): tf.Tensor4D {
  positiveInt('numHeads', numHeads);
  if (x.rank !== 3) throw badAttentionShape('x', x.shape, '[batch, len, numHeads * d]');
  const [batchSize, len, width] = x.shape;
  if (width % numHeads !== 0) {
    throw invalidArgument('numHeads', numHeads, `a divisor of x's last dimension ${width}`);
  }
  return tf.tidy(() => {
    // [batch, len, numHeads * d] -> [batch, len, numHeads, d]
    const heads = tf.reshape(x, [batchSize, len, numHeads, width / numHeads]);
    // [batch, len, numHeads, d] -> [batch, numHeads, len, d]
    return tf.transpose(heads, [0, 2, 1, 3]) as tf.Tensor4D;
  });
}

/** [batch, numHeads, len, d] -> [batch, len, numHeads * d], the inverse of `splitHeads`. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  if (x.rank !== 4) throw badAttentionShape('x', x.shape, '[batch, numHeads, len, d]');
  const [batchSize, numHeads, len, d] = x.shape;
  return tf.tidy(() => {
    // [batch, numHeads, len, d] -> [batch, len, numHeads, d]
    const heads = tf.transpose(x, [0, 2, 1, 3]);
    // [batch, len, numHeads, d] -> [batch, len, numHeads * d]
    return tf.reshape(heads, [batchSize, len, numHeads * d]);
  });
}

/**
 * [1, 1, tgtLen, srcLen]: 1 where query i may see key j, i.e. j <= i + (srcLen - tgtLen), else 0
 * (Vaswani et al. 2017, section 3.2.3: the decoder does not look ahead). With srcLen > tgtLen the
 * queries are the last tgtLen of srcLen positions (a decoder step over a key/value cache), so the
 * last query sees every key.
 */
export function causalMask(tgtLen: number, srcLen = tgtLen): tf.Tensor4D {
  positiveInt('tgtLen', tgtLen);
  positiveInt('srcLen', srcLen);
  if (srcLen < tgtLen) {
    throw invalidArgument('srcLen', srcLen, `at least tgtLen (${tgtLen})`);
  }
  const offset = srcLen - tgtLen;
  const values = new Float32Array(tgtLen * srcLen);
  for (let i = 0; i < tgtLen; i++) {
    for (let j = 0; j <= i + offset; j++) values[i * srcLen + j] = 1;
  }
  return tf.tensor4d(values, [1, 1, tgtLen, srcLen]);
}

/** What `attendHeads` returns; the caller disposes both. */
export interface HeadsResult {
  /** Each head's weighted sum of its values, [batch, heads, tgtLen, dv]. */
  context: tf.Tensor4D;
  /** Each head's attention weights, [batch, heads, tgtLen, srcLen]; each row sums to 1. */
  weights: tf.Tensor4D;
}

/**
 * softmax(q k^T / sqrt(dk)) v for every head at once: q [batch, heads, tgtLen, dk],
 * k [batch, heads, srcLen, dk], v [batch, heads, srcLen, dv]; `mask` is a 1/0 tensor broadcastable
 * to [batch, heads, tgtLen, srcLen] (see `maskedSoftmax`).
 */
export function attendHeads(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask?: tf.Tensor,
): HeadsResult {
  if (q.rank !== 4) throw badAttentionShape('q', q.shape, '[batch, heads, tgtLen, dk]');
  const [batchSize, heads, tgtLen, dk] = q.shape;
  if (k.rank !== 4 || k.shape[0] !== batchSize || k.shape[1] !== heads || k.shape[3] !== dk) {
    throw badAttentionShape('k', k.shape, `[batch=${batchSize}, heads=${heads}, srcLen, dk=${dk}]`);
  }
  const srcLen = k.shape[2];
  if (v.rank !== 4 || v.shape[0] !== batchSize || v.shape[1] !== heads || v.shape[2] !== srcLen) {
    const expected = `[batch=${batchSize}, heads=${heads}, srcLen=${srcLen}, dv]`;
    throw badAttentionShape('v', v.shape, expected);
  }
  return tf.tidy(() => {
    // The heads join the batch so that the scaled dot scoring of scores.ts applies as it is:
    // [batch, heads, len, dk] -> [batch * heads, len, dk]
    const q3 = tf.reshape(q, [batchSize * heads, tgtLen, dk]);
    const k3 = tf.reshape(k, [batchSize * heads, srcLen, dk]);
    // [batch * heads, tgtLen, srcLen] -> [batch, heads, tgtLen, srcLen]
    const scores = tf.reshape(scaledDotScores(q3 as tf.Tensor3D, k3 as tf.Tensor3D), [
      batchSize,
      heads,
      tgtLen,
      srcLen,
    ]);
    const weights = maskedSoftmax(scores, mask) as tf.Tensor4D;
    // [batch, heads, tgtLen, srcLen] x [batch, heads, srcLen, dv] -> [batch, heads, tgtLen, dv]
    const context = tf.matMul(weights, v) as tf.Tensor4D;
    return { context, weights };
  });
}

/**
 * The learned weights of multi-head attention, in the x W layout (rows: inputs, columns: outputs).
 * Biases are optional (absent: no bias).
 */
export interface MultiHeadParams {
  /** [dQuery, heads * dk]: the query projections of all heads, head i in columns i*dk..(i+1)*dk-1. */
  Wq: tf.Tensor;
  /** [heads * dk]. */
  bq?: tf.Tensor;
  /** [dKey, heads * dk]: the key projections. */
  Wk: tf.Tensor;
  /** [heads * dk]. */
  bk?: tf.Tensor;
  /** [dKey, heads * dv]: the value projections. */
  Wv: tf.Tensor;
  /** [heads * dv]. */
  bv?: tf.Tensor;
  /** [heads * dv, dModel]: mixes the concatenated heads into the output. */
  Wo: tf.Tensor;
  /** [dModel]. */
  bo?: tf.Tensor;
}

/** How `multiHeadAttention` attends: the number of heads and the masks. */
export interface MultiHeadOptions {
  /** Number of heads; must divide the widths of Wq (heads * dk) and Wv (heads * dv). */
  numHeads: number;
  /** [batch, srcLen], 1 for a real key position and 0 for padding. Default: no padding. */
  keyMask?: tf.Tensor;
  /** Whether query i sees only keys j <= i (see `causalMask`). Default: false. */
  causal?: boolean;
}

/** What `multiHeadAttention` returns; the caller disposes both. */
export interface MultiHeadResult {
  /** [batch, tgtLen, dModel]. */
  output: tf.Tensor3D;
  /** Every head's attention weights, [batch, heads, tgtLen, srcLen]. */
  weights: tf.Tensor4D;
}

/**
 * Multi-head attention from `query` [batch, tgtLen, dQuery] over `keyValue` [batch, srcLen, dKey]
 * (self-attention: the same tensor twice; cross-attention: the encoder's outputs). The caller
 * owns (and disposes) the result.
 */
export function multiHeadAttention(
  query: tf.Tensor,
  keyValue: tf.Tensor,
  params: MultiHeadParams,
  options: MultiHeadOptions,
): MultiHeadResult {
  const { numHeads, keyMask, causal = false } = options;
  positiveInt('numHeads', numHeads);
  checkInputs(query, keyValue, keyMask);
  checkParams(params, numHeads, query.shape[2]!, keyValue.shape[2]!);
  const [batchSize, tgtLen] = query.shape as [number, number, number];
  const srcLen = keyValue.shape[1]!;
  return tf.tidy(() => {
    // 1-2. project, then split: [batch, len, heads * d] -> [batch, heads, len, d]
    const q = splitHeads(linear(query as tf.Tensor3D, params.Wq, params.bq), numHeads);
    const k = splitHeads(linear(keyValue as tf.Tensor3D, params.Wk, params.bk), numHeads);
    const v = splitHeads(linear(keyValue as tf.Tensor3D, params.Wv, params.bv), numHeads);
    // 3. attend, with padding [batch, 1, 1, srcLen] times causal [1, 1, tgtLen, srcLen]
    const padding = keyMask && tf.reshape(keyMask, [batchSize, 1, 1, srcLen]);
    const future = causal ? causalMask(tgtLen, srcLen) : undefined;
    const mask = padding && future ? tf.mul(padding, future) : (padding ?? future);
    const { context, weights } = attendHeads(q, k, v, mask);
    // 4-5. [batch, heads, tgtLen, dv] -> [batch, tgtLen, heads * dv] -> [batch, tgtLen, dModel]
    const output = linear(mergeHeads(context), params.Wo, params.bo);
    return { output, weights };
  });
}

function checkInputs(query: tf.Tensor, keyValue: tf.Tensor, keyMask: tf.Tensor | undefined): void {
  if (query.rank !== 3) throw badAttentionShape('query', query.shape, '[batch, tgtLen, dQuery]');
  const batchSize = query.shape[0];
  if (keyValue.rank !== 3 || keyValue.shape[0] !== batchSize) {
    throw badAttentionShape('keyValue', keyValue.shape, `[batch=${batchSize}, srcLen, dKey]`);
  }
  const srcLen = keyValue.shape[1];
  if (
    keyMask !== undefined &&
    (keyMask.rank !== 2 || keyMask.shape[0] !== batchSize || keyMask.shape[1] !== srcLen)
  ) {
    throw badAttentionShape('keyMask', keyMask.shape, `[batch=${batchSize}, srcLen=${srcLen}]`);
  }
}

/** Checks every weight's shape against the inputs' sizes and `numHeads`. */
function checkParams(p: MultiHeadParams, numHeads: number, dQuery: number, dKey: number): void {
  const matrix = (name: string, W: tf.Tensor | undefined, rows: number, text: string): number => {
    if (W === undefined) {
      throw invalidArgument(`params.${name}`, W, `a tensor of shape ${text} = [${rows}, ?]`);
    }
    if (W.rank !== 2 || W.shape[0] !== rows) {
      throw badAttentionShape(`params.${name}`, W.shape, `${text} = [${rows}, ?]`);
    }
    return W.shape[1]!;
  };
  const vector = (name: string, b: tf.Tensor | undefined, size: number, text: string) => {
    if (b !== undefined && (b.rank !== 1 || b.shape[0] !== size)) {
      throw badAttentionShape(`params.${name}`, b.shape, `${text} = [${size}]`);
    }
  };
  const divisible = (name: string, width: number, what: string) => {
    if (width % numHeads !== 0) {
      throw invalidArgument(
        'numHeads',
        numHeads,
        `a divisor of params.${name}'s width ${width} (${what})`,
      );
    }
  };
  const qkWidth = matrix('Wq', p.Wq, dQuery, '[dQuery, heads * dk]');
  divisible('Wq', qkWidth, 'heads * dk');
  vector('bq', p.bq, qkWidth, '[heads * dk]');
  const kWidth = matrix('Wk', p.Wk, dKey, '[dKey, heads * dk]');
  if (kWidth !== qkWidth) {
    throw badAttentionShape('params.Wk', p.Wk.shape, `[dKey, heads * dk] = [${dKey}, ${qkWidth}]`);
  }
  vector('bk', p.bk, qkWidth, '[heads * dk]');
  const vWidth = matrix('Wv', p.Wv, dKey, '[dKey, heads * dv]');
  divisible('Wv', vWidth, 'heads * dv');
  vector('bv', p.bv, vWidth, '[heads * dv]');
  const dModel = matrix('Wo', p.Wo, vWidth, '[heads * dv, dModel]');
  vector('bo', p.bo, dModel, '[dModel]');
}
