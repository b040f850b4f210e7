/**
 * encoderLayer and decoderLayer compute what PyTorch's nn.TransformerEncoderLayer and
 * nn.TransformerDecoderLayer compute, given the same weights: post-norm (the paper's) and pre-norm,
 * with source padding and the causal mask, on cpu. The golden values come from PyTorch in float64,
 * written by test/fixtures/pytorch/make-transformer-fixtures.py, whose comment maps the layouts.
 */
import { readFileSync } from 'node:fs';
import type {
  DecoderLayerParams,
  EncoderLayerParams,
  MultiHeadParams,
  NormPlacement,
} from '@encdec/core';
import { decoderLayer, encoderLayer, projectKeyValues } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../helpers/numeric-grads.js';

type Weights = Record<string, number[]>;
interface Case {
  norm: NormPlacement;
  srcMask: number[];
  encoder: { weights: Weights; x: number[]; output: number[] };
  decoder: { weights: Weights; y: number[]; memory: number[]; output: number[] };
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/pytorch/transformer.json', import.meta.url), 'utf8'),
) as {
  batch: number;
  dModel: number;
  heads: number;
  ffDim: number;
  srcLen: number;
  tgtLen: number;
  cases: Case[];
};
const { batch, dModel: d, heads, ffDim, srcLen, tgtLen } = fixture;

/** float32 against float64 through two LayerNorms and sums of up to 16 products. */
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const matrix = (w: Weights, name: string, rows: number, cols: number) =>
  tf.tensor2d(w[name]!, [rows, cols]);
const vector = (w: Weights, name: string) => tf.tensor1d(w[name]!);
const norm = (w: Weights, name: string) => ({
  gamma: vector(w, `${name}_gamma`),
  beta: vector(w, `${name}_beta`),
});
const attention = (w: Weights, name: string): MultiHeadParams => ({
  Wq: matrix(w, `${name}_Wq`, d, d),
  bq: vector(w, `${name}_bq`),
  Wk: matrix(w, `${name}_Wk`, d, d),
  bk: vector(w, `${name}_bk`),
  Wv: matrix(w, `${name}_Wv`, d, d),
  bv: vector(w, `${name}_bv`),
  Wo: matrix(w, `${name}_Wo`, d, d),
  bo: vector(w, `${name}_bo`),
});
const feedForward = (w: Weights) => ({
  W1: matrix(w, 'ff_W1', d, ffDim),
  b1: vector(w, 'ff_b1'),
  W2: matrix(w, 'ff_W2', ffDim, d),
  b2: vector(w, 'ff_b2'),
});

describe('Transformer layers against PyTorch', () => {
  for (const c of fixture.cases) {
    const options = { numHeads: heads, norm: c.norm, dropout: 0, training: false };

    it(`encoderLayer equals nn.TransformerEncoderLayer (${c.norm}-norm, padding)`, () => {
      const before = tf.memory().numTensors;
      const values = tf.tidy(() => {
        const w = c.encoder.weights;
        const p: EncoderLayerParams = {
          norm1: norm(w, 'norm1'),
          selfAttention: attention(w, 'self'),
          norm2: norm(w, 'norm2'),
          feedForward: feedForward(w),
        };
        const x = tf.tensor3d(c.encoder.x, [batch, srcLen, d]);
        const mask = tf.tensor2d(c.srcMask, [batch, srcLen]);
        return encoderLayer(x, mask, p, options).output.dataSync();
      });
      expectClose(values, c.encoder.output, TOLERANCE);
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`decoderLayer equals nn.TransformerDecoderLayer (${c.norm}-norm, causal, padding)`, () => {
      const values = tf.tidy(() => {
        const w = c.decoder.weights;
        const p: DecoderLayerParams = {
          norm1: norm(w, 'norm1'),
          selfAttention: attention(w, 'self'),
          norm2: norm(w, 'norm2'),
          crossAttention: attention(w, 'cross'),
          norm3: norm(w, 'norm3'),
          feedForward: feedForward(w),
        };
        const y = tf.tensor3d(c.decoder.y, [batch, tgtLen, d]);
        const memory = tf.tensor3d(c.decoder.memory, [batch, srcLen, d]);
        const kv = projectKeyValues(memory, p.crossAttention, heads);
        const mask = tf.tensor2d(c.srcMask, [batch, srcLen]);
        return decoderLayer(y, undefined, kv, mask, p, options).output.dataSync();
      });
      expectClose(values, c.decoder.output, TOLERANCE);
    });
  }
});
