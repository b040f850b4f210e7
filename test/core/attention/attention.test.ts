/**
 * The functional attention against a plain-array reference written here from the formulas
 * (Luong et al. 2015 eq. 8; Vaswani et al. 2017 eq. 1; Bahdanau et al. 2015 A.1.2), in float64.
 */
import {
  ATTENTION_KINDS,
  type AttentionKind,
  attention,
  isAttentionKind,
  maskedSoftmax,
  scaledDotProductAttention,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { rng } from '../../helpers/rng.js';

type M = number[][];

const rand = rng(42);
// biome-ignore lint/suspicious/noExplicitAny: nested arrays of any depth, typed at each use.
const randArray = (...[length, ...rest]: number[]): any =>
  length === undefined ? rand() * 2 - 1 : Array.from({ length }, () => randArray(...rest));

// The float64 reference indexes arrays of the sizes it was given (every index in range): the `!`s.
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const vecMat = (x: number[], W: M) =>
  W[0]!.map((_, j) => x.reduce((s, xi, i) => s + xi * W[i]![j]!, 0));

interface RefParams {
  W?: M;
  Wq?: M;
  Wk?: M;
  v?: number[];
}

function refScore(kind: AttentionKind, q: number[], k: number[], p: RefParams): number {
  switch (kind) {
    case 'dot':
      return dot(q, k);
    case 'scaledDot':
      return dot(q, k) / Math.sqrt(k.length);
    case 'general':
      return dot(vecMat(q, p.W!), k);
    case 'additive': {
      const hq = vecMat(q, p.Wq!);
      const hk = vecMat(k, p.Wk!);
      return p.v!.reduce((s, vu, u) => s + vu * Math.tanh(hq[u]! + hk[u]!), 0);
    }
  }
}

/** Reference: weights [b][t][s] and context [b][t][dv]; masked positions excluded, all-masked uniform. */
function refAttention(
  kind: AttentionKind,
  Q: M[],
  K: M[],
  V: M[],
  mask: M | undefined,
  p: RefParams,
): { weights: M[]; context: M[] } {
  const weights = Q.map((qb, b) =>
    qb.map((q) => {
      const Kb = K[b]!;
      const real = Kb.map((_, s) => (mask ? mask[b]![s] !== 0 : true));
      if (!real.some((r) => r)) return Kb.map(() => 1 / Kb.length);
      const scores = Kb.map((k, s) => (real[s] ? refScore(kind, q, k, p) : -Infinity));
      const max = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - max));
      const total = e.reduce((a, x) => a + x, 0);
      return e.map((x) => x / total);
    }),
  );
  const context = weights.map((wb, b) =>
    wb.map((w) => V[b]![0]!.map((_, d) => w.reduce((s, ws, si) => s + ws * V[b]![si]![d]!, 0))),
  );
  return { weights, context };
}

function expectClose(actual: tf.Tensor, expected: unknown, tol = 1e-5): void {
  const a = (actual.arraySync() as unknown[]).flat(Infinity) as number[];
  const e = (expected as unknown[]).flat(Infinity) as number[];
  expect(a.length).toBe(e.length);
  const worst = Math.max(...a.map((x, i) => Math.abs(x - e[i]!)));
  expect(worst).toBeLessThan(tol);
}

const [batchSize, tgtLen, srcLen, dq, dk, dv, units] = [2, 3, 5, 4, 4, 3, 6];
const Q: M[] = randArray(batchSize, tgtLen, dq);
const K: M[] = randArray(batchSize, srcLen, dk);
const V: M[] = randArray(batchSize, srcLen, dv);
const P: RefParams = {
  W: randArray(dq, dk),
  Wq: randArray(dq, units),
  Wk: randArray(dk, units),
  v: randArray(units),
};
// Row 0: last two positions padded; row 1: no padding.
const MASK: M = [
  [1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1],
];
// Row 1 fully padded.
const ALL_PADDED: M = [
  [1, 0, 1, 0, 1],
  [0, 0, 0, 0, 0],
];

function run(kind: AttentionKind, mask?: M, q: M[] = Q, k: M[] = K) {
  const t = {
    q: tf.tensor(q),
    k: tf.tensor(k),
    v: tf.tensor(V),
    mask: mask ? tf.tensor(mask) : undefined,
    W: tf.tensor(P.W!),
    Wq: tf.tensor(P.Wq!),
    Wk: tf.tensor(P.Wk!),
    vv: tf.tensor(P.v!),
  };
  const out = attention(t.q, t.k, t.v, {
    kind,
    mask: t.mask,
    params: { W: t.W, Wq: t.Wq, Wk: t.Wk, v: t.vv },
  });
  const result = { weights: out.weights.arraySync(), context: out.context.arraySync(), out };
  return {
    ...result,
    dispose: () =>
      tf.dispose([out.weights, out.context, ...Object.values(t).filter((x) => x)] as tf.Tensor[]),
  };
}

describe('attention', () => {
  for (const kind of ATTENTION_KINDS) {
    for (const [label, mask] of [
      ['no mask', undefined],
      ['padding mask', MASK],
      ['a fully padded row', ALL_PADDED],
    ] as const) {
      it(`${kind} with ${label} matches the reference`, () => {
        const before = tf.memory().numTensors;
        const r = run(kind, mask as M | undefined);
        const ref = refAttention(kind, Q, K, V, mask as M | undefined, P);
        expect(r.out.weights.shape).toEqual([batchSize, tgtLen, srcLen]);
        expect(r.out.context.shape).toEqual([batchSize, tgtLen, dv]);
        expectClose(r.out.weights, ref.weights);
        expectClose(r.out.context, ref.context);
        const flat = (r.weights as M[]).flat(2);
        expect(flat.every(Number.isFinite)).toBe(true);
        if (mask) {
          // Padded positions get exactly zero weight unless the whole row is padded.
          mask.forEach((row, b) => {
            if (row.every((m) => m === 0)) return;
            row.forEach((m, s) => {
              if (m === 0)
                for (let t = 0; t < tgtLen; t++) expect((r.weights as M[])[b]![t]![s]).toBe(0);
            });
          });
        }
        r.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('a fully padded row is uniform, not NaN', () => {
    const r = run('dot', ALL_PADDED);
    for (const w of (r.weights as M[])[1]!) for (const x of w) expect(x).toBeCloseTo(1 / srcLen, 6);
    r.dispose();
  });

  it('additive and general accept dq != dk; tgtLen = 1 works (one decoder step)', () => {
    const q1: M[] = randArray(batchSize, 1, dq);
    const k6: M[] = randArray(batchSize, srcLen, 6);
    const p = { ...P, W: randArray(dq, 6), Wk: randArray(6, units) };
    for (const kind of ['general', 'additive'] as const) {
      const t = [
        tf.tensor(q1),
        tf.tensor(k6),
        tf.tensor(V),
        tf.tensor(p.W),
        tf.tensor(p.Wq!),
        tf.tensor(p.Wk),
        tf.tensor(p.v!),
      ] as const;
      const out = attention(t[0], t[1], t[2], {
        kind,
        params: { W: t[3], Wq: t[4], Wk: t[5], v: t[6] },
      });
      const ref = refAttention(kind, q1, k6, V, undefined, p);
      expect(out.weights.shape).toEqual([batchSize, 1, srcLen]);
      expectClose(out.weights, ref.weights);
      expectClose(out.context, ref.context);
      tf.dispose([...t, out.weights, out.context]);
    }
  });

  it('scaledDotProductAttention is softmax(q k^T / sqrt(d_k)) v', () => {
    const before = tf.memory().numTensors;
    const [q, k, v, m] = [tf.tensor(Q), tf.tensor(K), tf.tensor(V), tf.tensor(MASK)];
    const { output, weights } = scaledDotProductAttention(q, k, v, m);
    const ref = refAttention('scaledDot', Q, K, V, MASK, P);
    expectClose(output, ref.context);
    expectClose(weights, ref.weights);
    tf.dispose([q, k, v, m, output, weights]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maskedSoftmax without a mask is a plain softmax', () => {
    const s = tf.tensor([[[1, 2, 3]]]) as tf.Tensor3D;
    const w = maskedSoftmax(s);
    const e = [1, 2, 3].map((x) => Math.exp(x));
    const total = e.reduce((a, b) => a + b);
    expectClose(w, [[e.map((x) => x / total)]]);
    tf.dispose([s, w]);
  });

  it('maskedSoftmax names scores or a mask of the wrong shape', () => {
    const s = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const m = tf.ones([2, 5]) as tf.Tensor2D;
    expect(() => maskedSoftmax(s, m)).toThrow(
      'mask must have shape [batch=2, srcLen=4], got shape [2,5].',
    );
    const s2 = tf.zeros<tf.Rank>([2, 4]) as tf.Tensor3D; // rank 2, on purpose
    expect(() => maskedSoftmax(s2)).toThrow(
      'scores must have shape [batch, tgtLen, srcLen], got shape [2,4].',
    );
    tf.dispose([s, m, s2]);
  });

  it('isAttentionKind accepts exactly the listed kinds', () => {
    expect(ATTENTION_KINDS.every(isAttentionKind)).toBe(true);
    for (const x of ['cosine', 'scaled_dot', 'Dot', '', 3, undefined, null]) {
      expect(isAttentionKind(x)).toBe(false);
    }
  });
});

describe('attention errors', () => {
  const q = tf.tensor(Q);
  const k = tf.tensor(K);
  const v = tf.tensor(V);

  it('names an unknown kind', () => {
    expect(() => attention(q, k, v, { kind: 'cosine' as AttentionKind })).toThrow(
      'kind must be one of "dot", "scaledDot", "general", "additive", got "cosine".',
    );
  });

  it('names a tensor of the wrong rank or size', () => {
    const q2 = tf.zeros([2, 4]);
    expect(() => attention(q2, k, v, { kind: 'dot' })).toThrow(
      'query must have shape [batch, tgtLen, dq], got shape [2,4].',
    );
    const v3 = tf.zeros([2, 4, 3]);
    expect(() => attention(q, k, v3, { kind: 'dot' })).toThrow(
      'values must have shape [batch=2, srcLen=5, dv], got shape [2,4,3].',
    );
    const m = tf.ones([2, 4]);
    expect(() => attention(q, k, v, { kind: 'dot', mask: m })).toThrow(
      'mask must have shape [batch=2, srcLen=5], got shape [2,4].',
    );
    const k3 = tf.zeros([2, 5, 3]);
    expect(() => attention(q, k3, v, { kind: 'dot' })).toThrow(
      "keys must have shape [2, 5, 4] (dk must equal the query's dq for dot scores), got shape [2,5,3].",
    );
    tf.dispose([q2, v3, m, k3]);
  });

  it('names a missing or misshapen weight', () => {
    expect(() => attention(q, k, v, { kind: 'general' })).toThrow(
      'params.W must be a tensor of shape [dq, dk] for attention kind "general", got undefined.',
    );
    const W = tf.zeros([4, 3]);
    expect(() => attention(q, k, v, { kind: 'general', params: { W } })).toThrow(
      'params.W must have shape [dq, dk] = [4, 4], got shape [4,3].',
    );
    const Wq = tf.zeros([4, 6]);
    const Wk = tf.zeros([4, 6]);
    const bad = tf.zeros([5]);
    expect(() => attention(q, k, v, { kind: 'additive', params: { Wq, Wk, v: bad } })).toThrow(
      'params.v must have shape [units] = [6], got shape [5].',
    );
    tf.dispose([W, Wq, Wk, bad]);
  });
});
