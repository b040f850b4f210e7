/**
 * Multi-head attention against a plain-array reference written here from the formulas (Vaswani et
 * al. 2017, eq. 1 and section 3.2.2), in float64: 1, 2 and 4 heads, dk != dv, padding, causal and
 * both masks; no look-ahead under the causal mask; gradients against central finite differences of
 * the reference; splitHeads / mergeHeads, causalMask, the generalized maskedSoftmax, and the errors.
 */
import { causalMask, maskedSoftmax, multiHeadAttention } from '@encdec/core';
import { attendHeads, mergeHeads, splitHeads } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { numericGrads } from '../../helpers/numeric-grads.js';
import { float32Uniform, rng } from '../../helpers/rng.js';
import { expectAllClose } from '../backend/expect-close.js';

type M = number[][];

const rand = rng(16);
/** rows x cols uniform in (-1, 1), rounded to float32 so that both sides start from the same numbers. */
const randM = (rows: number, cols: number): M =>
  Array.from({ length: rows }, () => float32Uniform(rand, cols));

// The float64 reference indexes arrays of the sizes it was given (every index in range): the `!`s.
const matMul = (A: M, B: M): M =>
  A.map((a) => B[0]!.map((_, j) => a.reduce((s, x, k) => s + x * B[k]![j]!, 0)));
const addRow = (A: M, b?: number[]): M => (b ? A.map((a) => a.map((x, j) => x + b[j]!)) : A);

interface RefParams {
  Wq: M;
  Wk: M;
  Wv: M;
  Wo: M;
  bq?: number[];
  bk?: number[];
  bv?: number[];
  bo?: number[];
}

/**
 * Reference multi-head attention for one batch row: q [tgtLen][dQuery], kv [srcLen][dKey], keyMask
 * [srcLen] (1 real). Returns output [tgtLen][dModel] and weights [heads][tgtLen][srcLen].
 */
function refRow(q: M, kv: M, p: RefParams, heads: number, keyMask?: number[], causal = false) {
  const Q = addRow(matMul(q, p.Wq), p.bq);
  const K = addRow(matMul(kv, p.Wk), p.bk);
  const V = addRow(matMul(kv, p.Wv), p.bv);
  const dk = Q[0]!.length / heads;
  const dv = V[0]!.length / heads;
  const [tgtLen, srcLen] = [q.length, kv.length];
  const weights: M[] = [];
  const concat: M = Array.from({ length: tgtLen }, () => []);
  for (let h = 0; h < heads; h++) {
    const w = Q.map((qi, i) => {
      const visible = K.map(
        (_, j) => (keyMask ? keyMask[j] !== 0 : true) && (!causal || j <= i + srcLen - tgtLen),
      );
      const scores = K.map((kj, j) => {
        let s = 0;
        for (let d = 0; d < dk; d++) s += qi[h * dk + d]! * kj[h * dk + d]!;
        return visible[j] ? s / Math.sqrt(dk) : -Infinity;
      });
      const max = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - max));
      const total = e.reduce((a, x) => a + x, 0);
      return e.map((x) => x / total);
    });
    weights.push(w);
    w.forEach((wi, i) => {
      for (let d = 0; d < dv; d++)
        concat[i]!.push(wi.reduce((s, x, j) => s + x * V[j]![h * dv + d]!, 0));
    });
  }
  return { output: addRow(matMul(concat, p.Wo), p.bo), weights };
}

function reference(Q: M[], KV: M[], p: RefParams, heads: number, mask?: M, causal = false) {
  const rows = Q.map((q, b) => refRow(q, KV[b]!, p, heads, mask?.[b], causal));
  return { output: rows.map((r) => r.output), weights: rows.map((r) => r.weights) };
}

const [batchSize, tgtLen, srcLen, dQuery, dKey, dModel] = [2, 4, 5, 6, 7, 5];
const Q = [randM(tgtLen, dQuery), randM(tgtLen, dQuery)];
const KV = [randM(srcLen, dKey), randM(srcLen, dKey)];
/** Row 0: the last two keys are padding; row 1: none. */
const MASK: M = [
  [1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1],
];

/** Weights with heads * dk = 8 and heads * dv = 4 (dk != dv for 2 and 4 heads). */
function randParams(dq: number, dkv: number, bias = true): RefParams {
  const p: RefParams = {
    Wq: randM(dq, 8),
    Wk: randM(dkv, 8),
    Wv: randM(dkv, 4),
    Wo: randM(4, dModel),
  };
  if (bias)
    [p.bq, p.bk, p.bv, p.bo] = [
      randM(1, 8)[0]!,
      randM(1, 8)[0]!,
      randM(1, 4)[0]!,
      randM(1, dModel)[0]!,
    ];
  return p;
}
const P = randParams(dQuery, dKey);

/** The params as tensors (the caller disposes them). */
const tensors = (p: RefParams) =>
  Object.fromEntries(
    Object.entries(p).map(([k, v]) => [k, tf.tensor(v as number[])]),
  ) as unknown as Parameters<typeof multiHeadAttention>[2];

function run(q: M[], kv: M[], p: RefParams, heads: number, mask?: M, causal = false) {
  const before = tf.memory().numTensors;
  const t = { q: tf.tensor(q), kv: tf.tensor(kv), mask: mask && tf.tensor(mask), p: tensors(p) };
  const { output, weights } = multiHeadAttention(t.q, t.kv, t.p, {
    numHeads: heads,
    keyMask: t.mask,
    causal,
  });
  const result = {
    output: output.arraySync() as M[],
    weights: weights.arraySync() as M[][],
    shapes: [output.shape, weights.shape],
  };
  tf.dispose([output, weights, t.q, t.kv, ...(t.mask ? [t.mask] : []), ...Object.values(t.p)]);
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

const flat = (x: unknown) => (x as unknown[]).flat(Infinity) as number[];
/** Flat values back into nested arrays of `shape` (plain JS: no float32 rounding). */
const unflatten = (values: number[], shape: number[]): unknown => {
  const [n, ...rest] = shape;
  if (rest.length === 0) return values;
  const size = rest.reduce((a, x) => a * x, 1);
  return Array.from({ length: n! }, (_, i) =>
    unflatten(values.slice(i * size, (i + 1) * size), rest),
  );
};

describe('multiHeadAttention', () => {
  for (const heads of [1, 2, 4]) {
    for (const [label, mask, causal] of [
      ['no mask', undefined, false],
      ['a padding mask', MASK, false],
      ['the causal mask', undefined, true],
      ['padding and causal masks', MASK, true],
    ] as const) {
      it(`${heads} head(s) with ${label} match the float64 reference`, () => {
        const r = run(Q, KV, P, heads, mask as M | undefined, causal);
        const ref = reference(Q, KV, P, heads, mask as M | undefined, causal);
        expect(r.shapes).toEqual([
          [batchSize, tgtLen, dModel],
          [batchSize, heads, tgtLen, srcLen],
        ]);
        expectAllClose(flat(r.output), flat(ref.output), 1e-5);
        expectAllClose(flat(r.weights), flat(ref.weights), 1e-6);
        // Masked keys get exactly zero weight.
        for (const [b, wb] of r.weights.entries()) {
          for (const wh of wb) {
            for (const [i, row] of wh.entries()) {
              for (const [j, w] of row.entries()) {
                const hidden = (mask && mask[b]![j] === 0) || (causal && j > i + srcLen - tgtLen);
                if (hidden) expect(w).toBe(0);
                else expect(w).toBeGreaterThan(0);
              }
            }
          }
        }
      });
    }
  }

  it('works without biases, and with one query (a decoder step) under the causal mask', () => {
    const p = randParams(dQuery, dKey, false);
    const q1 = Q.map((q) => [q[0]!]);
    const r = run(q1, KV, p, 2, MASK, true);
    const ref = reference(q1, KV, p, 2, MASK, true);
    expectAllClose(flat(r.output), flat(ref.output), 1e-5);
    // The one query is the last position: it sees every real key.
    expect(r.weights[1]![0]![0]!.every((w) => w > 0)).toBe(true);
  });

  it('causal: changing positions after t changes no output at or before t', () => {
    const p = randParams(dQuery, dQuery);
    const self = Q; // self-attention: queries, keys and values from the same rows
    const base = run(self, self, p, 2, undefined, true).output;
    for (let t = 0; t < tgtLen - 1; t++) {
      const moved = self.map((rows) => rows.map((row, i) => (i > t ? row.map((x) => x + 3) : row)));
      const out = run(moved, moved, p, 2, undefined, true).output;
      for (let b = 0; b < batchSize; b++) {
        for (let i = 0; i <= t; i++) expect(out[b]![i]).toEqual(base[b]![i]);
        // Later rows do change: the test can see a difference where there is one.
        expect(out[b]![t + 1]).not.toEqual(base[b]![t + 1]);
      }
    }
  });

  it('gradients w.r.t. the query, Wq and Wo match central differences of the reference', () => {
    const p = randParams(dQuery, dKey);
    const R = [randM(tgtLen, dModel), randM(tgtLen, dModel)];
    const heads = 2;
    // d sum(output * R) / d(query, Wq, Wo), by central differences of the float64 reference.
    const qShape = [batchSize, tgtLen, dQuery];
    const wShape = (W: M) => [W.length, W[0]!.length];
    const numeric = numericGrads(
      ([q, wq, wo]) => {
        const Wq = unflatten(wq!, wShape(p.Wq)) as M;
        const Wo = unflatten(wo!, wShape(p.Wo)) as M;
        return flat(
          reference(unflatten(q!, qShape) as M[], KV, { ...p, Wq, Wo }, heads, MASK, true).output,
        );
      },
      [flat(Q), flat(p.Wq), flat(p.Wo)],
      flat(R),
    );
    const before = tf.memory().numTensors;
    const analytic = tf.tidy(() => {
      const [kv, mask, r] = [tf.tensor(KV), tf.tensor(MASK), tf.tensor(R)];
      const rest = tensors(p);
      const loss = (q: tf.Tensor, Wq: tf.Tensor, Wo: tf.Tensor) =>
        tf.sum(
          tf.mul(
            multiHeadAttention(
              q,
              kv,
              { ...rest, Wq, Wo },
              { numHeads: heads, keyMask: mask, causal: true },
            ).output,
            r,
          ),
        ) as tf.Scalar;
      return tf.grads(loss)([tf.tensor(Q), tf.tensor(p.Wq), tf.tensor(p.Wo)]);
    });
    for (const [which, grad] of analytic.entries()) {
      const n = numeric[which]!;
      const a = Array.from(grad.dataSync());
      expectAllClose(a, n, 1e-4);
      expect(Math.max(...n.map(Math.abs))).toBeGreaterThan(1e-2); // not all zeros
    }
    tf.dispose(analytic);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the steps of multi-head attention', () => {
  it('splitHeads gives head h the h-th block of columns; mergeHeads undoes it', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor3d(
      Array.from({ length: 2 * 3 * 6 }, (_, i) => i),
      [2, 3, 6],
    );
    const split = splitHeads(x, 3);
    expect(split.shape).toEqual([2, 3, 3, 2]);
    const s = split.arraySync();
    const xs = x.arraySync();
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < 3; h++)
        for (let l = 0; l < 3; l++)
          expect(s[b]![h]![l]).toEqual(xs[b]![l]!.slice(h * 2, h * 2 + 2));
    const merged = mergeHeads(split);
    expect(merged.shape).toEqual([2, 3, 6]);
    expect(merged.arraySync()).toEqual(xs);
    tf.dispose([x, split, merged]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('causalMask: 1 where key j <= query i + (srcLen - tgtLen)', () => {
    const square = causalMask(3);
    expect(square.shape).toEqual([1, 1, 3, 3]);
    expect(square.arraySync()).toEqual([
      [
        [
          [1, 0, 0],
          [1, 1, 0],
          [1, 1, 1],
        ],
      ],
    ]);
    const cache = causalMask(2, 4);
    expect(cache.arraySync()).toEqual([
      [
        [
          [1, 1, 1, 0],
          [1, 1, 1, 1],
        ],
      ],
    ]);
    tf.dispose([square, cache]);
    expect(() => causalMask(0)).toThrow('tgtLen must be a positive integer, got 0.');
    expect(() => causalMask(3, 2)).toThrow('srcLen must be at least tgtLen (3), got 2.');
  });

  it('attendHeads is each head attending on its own', () => {
    const before = tf.memory().numTensors;
    const [q, k, v] = [
      tf.randomUniform([2, 3, 4, 2], -1, 1, 'float32', 1),
      tf.randomUniform([2, 3, 5, 2], -1, 1, 'float32', 2),
      tf.randomUniform([2, 3, 5, 3], -1, 1, 'float32', 3),
    ] as tf.Tensor4D[];
    const mask = causalMask(4, 5);
    const { context, weights } = attendHeads(q!, k!, v!, mask);
    expect(context.shape).toEqual([2, 3, 4, 3]);
    expect(weights.shape).toEqual([2, 3, 4, 5]);
    // Head 1 of batch row 1, by hand: softmax(q k^T / sqrt(2)) with the causal mask, times v.
    const pick = (t: tf.Tensor) => (t.arraySync() as number[][][][])[1]![1]!;
    const [qh, kh, vh] = [pick(q!), pick(k!), pick(v!)];
    const w = qh.map((qi, i) => {
      const e = kh.map((kj, j) =>
        j <= i + 1 ? Math.exp((qi[0]! * kj[0]! + qi[1]! * kj[1]!) / Math.SQRT2) : 0,
      );
      const total = e.reduce((a, x) => a + x, 0);
      return e.map((x) => x / total);
    });
    expectAllClose(flat(pick(weights)), flat(w), 1e-6);
    expectAllClose(flat(pick(context)), flat(matMul(w, vh)), 1e-6);
    tf.dispose([q!, k!, v!, mask, context, weights]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maskedSoftmax takes rank-4 scores with a padding, a causal or a product mask', () => {
    const before = tf.memory().numTensors;
    const scores = tf.randomNormal([2, 2, 3, 3], 0, 1, 'float32', 5);
    const padding = tf.tensor4d([1, 1, 0, 1, 1, 1], [2, 1, 1, 3]);
    const causal = causalMask(3);
    const both = tf.mul(padding, causal);
    const perRow = tf.tensor2d([1, 1, 0, 1, 1, 1], [2, 3]);
    const wrong = tf.ones([2, 2, 3]);
    const rows = (t: tf.Tensor) => t.arraySync() as number[][][][];
    for (const [mask, hidden] of [
      [padding, (b: number, _i: number, j: number) => b === 0 && j === 2],
      [causal, (_b: number, i: number, j: number) => j > i],
      [both, (b: number, i: number, j: number) => j > i || (b === 0 && j === 2)],
      // [batch, srcLen] is the padding mask for every head too.
      [perRow, (b: number, _i: number, j: number) => b === 0 && j === 2],
    ] as const) {
      const w = maskedSoftmax(scores, mask);
      const s = rows(scores);
      for (const [b, wb] of rows(w).entries()) {
        for (const [h, wh] of wb.entries()) {
          for (const [i, row] of wh.entries()) {
            const e = row.map((_, j) => (hidden(b, i, j) ? 0 : Math.exp(s[b]![h]![i]![j]!)));
            const total = e.reduce((a, x) => a + x, 0);
            expectAllClose(
              row,
              e.map((x) => x / total),
              1e-6,
            );
          }
        }
      }
      tf.dispose(w);
    }
    expect(() => maskedSoftmax(scores, wrong)).toThrow(
      'mask must have shape [batch=2, srcLen=3], or of rank 4 with each dimension 1 or that of the scores [2,2,3,3], got shape [2,2,3].',
    );
    tf.dispose([scores, padding, causal, both, perRow, wrong]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('multi-head attention errors', () => {
  const q = tf.zeros([2, 4, 6]);
  const kv = tf.zeros([2, 5, 7]);
  const p = tensors(P);

  it('names numHeads that do not divide the projections', () => {
    expect(() => multiHeadAttention(q, kv, p, { numHeads: 3 })).toThrow(
      "numHeads must be a divisor of params.Wq's width 8 (heads * dk), got 3.",
    );
    expect(() => multiHeadAttention(q, kv, p, { numHeads: 8 })).toThrow(
      "numHeads must be a divisor of params.Wv's width 4 (heads * dv), got 8.",
    );
    expect(() => multiHeadAttention(q, kv, p, { numHeads: 0 })).toThrow(
      'numHeads must be a positive integer, got 0.',
    );
    expect(() => splitHeads(q as tf.Tensor3D, 4)).toThrow(
      "numHeads must be a divisor of x's last dimension 6, got 4.",
    );
  });

  it('names inputs, masks and weights of the wrong shape', () => {
    const q2 = tf.zeros([2, 6]);
    expect(() => multiHeadAttention(q2, kv, p, { numHeads: 2 })).toThrow(
      'query must have shape [batch, tgtLen, dQuery], got shape [2,6].',
    );
    const kv1 = tf.zeros([1, 5, 7]);
    expect(() => multiHeadAttention(q, kv1, p, { numHeads: 2 })).toThrow(
      'keyValue must have shape [batch=2, srcLen, dKey], got shape [1,5,7].',
    );
    const m = tf.ones([2, 4]);
    expect(() => multiHeadAttention(q, kv, p, { numHeads: 2, keyMask: m })).toThrow(
      'keyMask must have shape [batch=2, srcLen=5], got shape [2,4].',
    );
    const Wq = tf.zeros([5, 8]);
    expect(() => multiHeadAttention(q, kv, { ...p, Wq }, { numHeads: 2 })).toThrow(
      'params.Wq must have shape [dQuery, heads * dk] = [6, ?], got shape [5,8].',
    );
    const { Wo: _, ...noWo } = p;
    expect(() => multiHeadAttention(q, kv, noWo as typeof p, { numHeads: 2 })).toThrow(
      'params.Wo must be a tensor of shape [heads * dv, dModel] = [4, ?], got undefined.',
    );
    const bo = tf.zeros([4]);
    expect(() => multiHeadAttention(q, kv, { ...p, bo }, { numHeads: 2 })).toThrow(
      'params.bo must have shape [dModel] = [5], got shape [4].',
    );
    const Wk = tf.zeros([7, 6]);
    expect(() => multiHeadAttention(q, kv, { ...p, Wk }, { numHeads: 2 })).toThrow(
      'params.Wk must have shape [dKey, heads * dk] = [7, 8], got shape [7,6].',
    );
    const k4 = tf.zeros([2, 2, 5, 3]) as tf.Tensor4D;
    const q4 = tf.zeros([2, 2, 4, 2]) as tf.Tensor4D;
    expect(() => attendHeads(q4, k4, k4)).toThrow(
      'k must have shape [batch=2, heads=2, srcLen, dk=2], got shape [2,2,5,3].',
    );
    tf.dispose([q2, kv1, m, Wq, bo, Wk, k4, q4]);
  });
});
