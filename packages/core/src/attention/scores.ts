/**
 * Attention scoring functions: each maps queries [batch, tgtLen, dq] and keys [batch, srcLen, dk]
 * to scores [batch, tgtLen, srcLen]. They differ ONLY here; masking, softmax and the weighted sum
 * are shared (`attention.ts`). Inputs' ranks and batch sizes are checked by `attention`; each
 * function checks the sizes it needs and its own weights.
 */
import * as tf from '@tensorflow/tfjs';
import { badAttentionShape, missingAttentionParam } from '../errors.js';
import type { AttentionKind } from './kinds.js';

/**
 * The learned weights of the parameterised kinds; created by `AttentionLayer` in a model, or
 * passed by hand to the functional `attention`.
 */
export interface AttentionParams {
  /** `general`: W [dq, dk]. */
  W?: tf.Tensor;
  /** `additive`: W_q [dq, units], projects the queries. */
  Wq?: tf.Tensor;
  /** `additive`: W_k [dk, units], projects the keys. */
  Wk?: tf.Tensor;
  /** `additive`: v [units], reduces tanh(W_q q + W_k k) to one score. */
  v?: tf.Tensor;
}

/** Scores [batch, tgtLen, srcLen] of `kind` for `query` [batch, tgtLen, dq], `keys` [batch, srcLen, dk]. */
export function attentionScores(
  kind: AttentionKind,
  query: tf.Tensor3D,
  keys: tf.Tensor3D,
  params: AttentionParams = {},
): tf.Tensor3D {
  switch (kind) {
    case 'dot':
      return dotScores(query, keys);
    case 'scaledDot':
      return scaledDotScores(query, keys);
    case 'general':
      return generalScores(query, keys, params);
    case 'additive':
      return additiveScores(query, keys, params);
  }
}

/** q . k (Luong et al. 2015, eq. 8 "dot"); needs dq = dk. */
export function dotScores(query: tf.Tensor3D, keys: tf.Tensor3D): tf.Tensor3D {
  requireSameDepth(query, keys);
  // [batch, tgtLen, dq] x [batch, srcLen, dk]^T -> [batch, tgtLen, srcLen]
  return tf.matMul(query, keys, false, true);
}

/**
 * q . k / sqrt(d_k) (Vaswani et al. 2017, eq. 1): dividing keeps the scores' variance near 1 when
 * q and k have unit-variance entries, so the softmax does not saturate as d_k grows.
 */
export function scaledDotScores(query: tf.Tensor3D, keys: tf.Tensor3D): tf.Tensor3D {
  requireSameDepth(query, keys);
  return tf.tidy(() => tf.div(dotScores(query, keys), Math.sqrt(keys.shape[2])));
}

/** q W k^T (Luong et al. 2015, eq. 8 "general"), W [dq, dk]. */
export function generalScores(
  query: tf.Tensor3D,
  keys: tf.Tensor3D,
  params: AttentionParams,
): tf.Tensor3D {
  const W = requireParam('general', 'W', params.W, [query.shape[2], keys.shape[2]], '[dq, dk]');
  return tf.tidy(() => {
    const qW = linear(query, W); // [batch, tgtLen, dk]
    // [batch, tgtLen, dk] x [batch, srcLen, dk]^T -> [batch, tgtLen, srcLen]
    return tf.matMul(qW, keys, false, true);
  });
}

/**
 * v^T tanh(W_q q + W_k k) (Bahdanau et al. 2015, appendix A.1.2; Luong's "concat"): a one-layer
 * MLP on every (query, key) pair, so queries and keys may have different sizes.
 */
export function additiveScores(
  query: tf.Tensor3D,
  keys: tf.Tensor3D,
  params: AttentionParams,
): tf.Tensor3D {
  const units = params.Wq?.shape[1] ?? params.v?.shape[0] ?? null;
  const Wq = requireParam('additive', 'Wq', params.Wq, [query.shape[2], units], '[dq, units]');
  const Wk = requireParam('additive', 'Wk', params.Wk, [keys.shape[2], units], '[dk, units]');
  const v = requireParam('additive', 'v', params.v, [units], '[units]');
  const [batchSize, tgtLen] = query.shape;
  const srcLen = keys.shape[1];
  const u = Wq.shape[1]!;
  return tf.tidy(() => {
    // [batch, tgtLen, units] -> [batch, tgtLen, 1, units]
    const q = tf.reshape(linear(query, Wq), [batchSize, tgtLen, 1, u]);
    // [batch, srcLen, units] -> [batch, 1, srcLen, units]
    const k = tf.reshape(linear(keys, Wk), [batchSize, 1, srcLen, u]);
    const hidden = tf.tanh(tf.add(q, k)); // [batch, tgtLen, srcLen, units]
    // [batch * tgtLen * srcLen, units] x [units, 1] -> [batch, tgtLen, srcLen]
    const scores = tf.matMul(tf.reshape(hidden, [-1, u]), tf.reshape(v, [u, 1]));
    return tf.reshape(scores, [batchSize, tgtLen, srcLen]);
  });
}

/**
 * x [batch, n, d] W [d, u] (+ b [u]) -> [batch, n, u], as one rank-2 product: a dense layer's
 * projection at every position (attention's W_q, W_k, W_v, W_o, the feed-forward layers).
 */
export function linear(x: tf.Tensor3D, W: tf.Tensor, b?: tf.Tensor): tf.Tensor3D {
  const [batchSize, n, d] = x.shape;
  const u = W.shape[1]!;
  return tf.tidy(() => {
    // [batch, n, d] -> [batch * n, d] x [d, u] -> [batch * n, u]
    const flat = tf.matMul(tf.reshape(x, [batchSize * n, d]), W as tf.Tensor2D);
    // [batch * n, u] -> [batch, n, u]
    return tf.reshape(b === undefined ? flat : tf.add(flat, b), [batchSize, n, u]);
  });
}

function requireSameDepth(query: tf.Tensor3D, keys: tf.Tensor3D): void {
  const [batchSize, srcLen, dk] = keys.shape;
  if (query.shape[2] !== dk) {
    throw badAttentionShape(
      'keys',
      keys.shape,
      `[${batchSize}, ${srcLen}, ${query.shape[2]}] (dk must equal the query's dq for dot scores)`,
    );
  }
}

/** `value`, checked to have shape `expected` (null: any size); `text` names the dimensions. */
function requireParam(
  kind: AttentionKind,
  name: string,
  value: tf.Tensor | undefined,
  expected: readonly (number | null)[],
  text: string,
): tf.Tensor {
  if (value === undefined) throw missingAttentionParam(kind, name, text);
  const ok =
    value.rank === expected.length && expected.every((d, i) => d === null || value.shape[i] === d);
  if (!ok) {
    const sizes = expected.map((d) => d ?? '?').join(', ');
    throw badAttentionShape(`params.${name}`, value.shape, `${text} = [${sizes}]`);
  }
  return value;
}
