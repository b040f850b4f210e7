/**
 * multiHeadAttention computes what PyTorch's nn.MultiheadAttention computes, given the same
 * weights: the output, every head's attention weights, and the gradients of a fixed weighted sum
 * of the output w.r.t. the query, Wq and Wo; with 1, 2 and 4 heads, cross- and self-attention,
 * padding, causal and both masks, on cpu and wasm. The golden values come from PyTorch in float64,
 * written by test/fixtures/pytorch/make-mha-fixtures.py, whose comment maps the weight layouts.
 */
import { readFileSync } from 'node:fs';
import { initBackend, multiHeadAttention } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose } from '../backend/expect-close.js';

interface MhaCase {
  name: string;
  heads: number;
  tgtLen: number;
  srcLen: number;
  causal: boolean;
  padding: boolean;
  selfAttention: boolean;
  [values: string]: unknown;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/pytorch/mha.json', import.meta.url), 'utf8'),
) as { batch: number; embedDim: number; cases: MhaCase[] };
const { batch, embedDim: E } = fixture;

/** float32 against float64 for sums of 8 products: rounding stays well below this. */
const TOLERANCE = 1e-5;

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Output, weights, then the gradients w.r.t. query, Wq, Wo, as flat arrays. */
function run(c: MhaCase): Float32Array[] {
  const v = (name: string) => c[name] as number[];
  const values = tf.tidy(() => {
    const query = tf.tensor3d(v('query'), [batch, c.tgtLen, E]);
    const keyValue = tf.tensor3d(v('keyValue'), [batch, c.srcLen, E]);
    const keyMask = c.padding ? tf.tensor2d(v('keyMask'), [batch, c.srcLen]) : undefined;
    const matrix = (name: string) => tf.tensor2d(v(name), [E, E]);
    const vector = (name: string) => tf.tensor1d(v(name));
    const [Wk, Wv, bq, bk, bv, bo] = [
      matrix('Wk'),
      matrix('Wv'),
      vector('bq'),
      vector('bk'),
      vector('bv'),
      vector('bo'),
    ];
    const r = tf.tensor3d(v('lossWeights'), [batch, c.tgtLen, E]);
    const options = { numHeads: c.heads, keyMask, causal: c.causal };
    const attend = (q: tf.Tensor, Wq: tf.Tensor, Wo: tf.Tensor) =>
      multiHeadAttention(
        q,
        c.selfAttention ? q : keyValue,
        { Wq, bq, Wk, bk, Wv, bv, Wo, bo },
        options,
      );
    const { output, weights } = attend(query, matrix('Wq'), matrix('Wo'));
    const loss = (q: tf.Tensor, Wq: tf.Tensor, Wo: tf.Tensor) =>
      tf.sum(tf.mul(attend(q, Wq, Wo).output, r)) as tf.Scalar;
    const grads = tf.grads(loss)([query, matrix('Wq'), matrix('Wo')]);
    return [output, weights, ...grads];
  });
  const arrays = values.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(values);
  return arrays;
}

describe.each(['cpu', 'wasm'] as const)('multiHeadAttention on %s equals PyTorch', (backend) => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await initBackend({ backend, log: null });
    const before = tf.memory().numTensors;
    const [output, weights, gQuery, gWq, gWo] = run(c);
    expect(weights!.length).toBe(batch * c.heads * c.tgtLen * c.srcLen);
    expectAllClose(output!, c.output as number[], TOLERANCE);
    expectAllClose(weights!, c.weights as number[], TOLERANCE);
    expectAllClose(gQuery!, c.gradQuery as number[], TOLERANCE);
    expectAllClose(gWq!, c.gradWq as number[], TOLERANCE);
    expectAllClose(gWo!, c.gradWo as number[], TOLERANCE);
    expect(tf.memory().numTensors).toBe(before);
  });
});
