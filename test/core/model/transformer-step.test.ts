/**
 * The Transformer's cached step decoding against its teacher-forced pass: every step's logits
 * equal forward's at that position (greedy, and beam search's reordered caches), the causal mask
 * leaks nothing, and no tensor is left behind.
 */
import {
  beamSearch,
  createSeq2Seq,
  greedySearch,
  type Seq2Seq,
  type Seq2SeqConfig,
  type Seq2SeqState,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../helpers/numeric-grads.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const V = 11;
const src = [
  [3, 4, 5, 6, 0, 0],
  [7, 8, 9, 10, 4, 5],
];

function config(overrides: { norm?: 'pre' | 'post'; tie?: boolean } = {}): Seq2SeqConfig {
  const sizes = {
    kind: 'transformer' as const,
    vocabSize: V,
    dModel: 8,
    numHeads: 2,
    numLayers: 2,
    ffDim: 16,
    dropout: 0.1,
    maxLength: 12,
    norm: overrides.norm ?? 'pre',
  };
  return {
    encoder: { ...sizes, seed: 3 },
    decoder: { ...sizes, tieEmbeddings: overrides.tie ?? false },
  };
}

/** Teacher-forced logits of `prefixes` (start token 1 first), [rows, len, V]. */
function forwardLogits(model: Seq2Seq, srcRows: number[][], prefixes: number[][]): number[][][] {
  const { logits, attention } = model.forward([srcRows, prefixes]);
  const values = logits.arraySync();
  tf.dispose([logits, attention]);
  return values;
}

describe('Transformer decodeStep over a key/value cache', () => {
  for (const norm of ['pre', 'post'] as const) {
    for (const tie of [false, true]) {
      it(`equals the teacher-forced logits at every step (norm ${norm}, tied ${tie})`, () => {
        const model = createSeq2Seq(config({ norm, tie }));
        const before = tf.memory().numTensors;
        // Decode 8 steps feeding fixed tokens; compare step t with forward's position t.
        const fed = [
          [1, 5, 6, 7, 3, 9, 2, 4],
          [1, 9, 9, 3, 4, 10, 8, 2],
        ];
        const expected = forwardLogits(model, src, fed);
        let state: Seq2SeqState = model.initialState(src);
        for (let t = 0; t < fed[0]!.length; t++) {
          const tokens = tf.tensor1d(
            fed.map((row) => row[t]!),
            'int32',
          );
          const out = model.decodeStep(tokens, state);
          const logits = out.logits!.arraySync();
          for (let r = 0; r < 2; r++) expectClose(logits[r]!, expected[r]![t]!, 1e-5);
          expect(out.attention!.shape).toEqual([2, 6]);
          // Padding gets no attention; each row sums to 1.
          const att = out.attention!.arraySync();
          expect(att[0]![4]).toBe(0);
          expect(att[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
          tf.dispose([tokens, state, out.logits, out.attention]);
          state = out.state;
        }
        tf.dispose(state);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  }

  it('also over a recurrent encoder: cross-attention reads its outputs, of another width', () => {
    const model = createSeq2Seq({
      encoder: {
        vocabSize: V,
        embeddingDim: 4,
        units: 5,
        cell: 'gru',
        bidirectional: true,
        seed: 2,
      },
      decoder: { ...config().decoder, dropout: 0 } as Seq2SeqConfig['decoder'],
    });
    const before = tf.memory().numTensors;
    const fed = [
      [1, 5, 6, 7],
      [1, 9, 9, 3],
    ];
    const expected = forwardLogits(model, src, fed);
    let state: Seq2SeqState = model.initialState(src);
    for (let t = 0; t < 4; t++) {
      const tokens = tf.tensor1d(
        fed.map((row) => row[t]!),
        'int32',
      );
      const out = model.decodeStep(tokens, state);
      const logits = out.logits!.arraySync();
      for (let r = 0; r < 2; r++) expectClose(logits[r]!, expected[r]![t]!, 1e-5);
      tf.dispose([tokens, state, out.logits, out.attention]);
      state = out.state;
    }
    tf.dispose(state);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('greedy search picks, at every step, the argmax of forward on its own prefix', () => {
    const model = createSeq2Seq(config());
    const state = model.initialState(src);
    const hyps = greedySearch(model.decodeStep, state, { startId: 1, endId: 2, maxLength: 8 });
    tf.dispose(state);
    for (let r = 0; r < 2; r++) {
      const tokens = hyps[r]!.tokens;
      const prefix = [1, ...tokens.slice(0, -1)];
      const logits = forwardLogits(model, [src[r]!], [prefix])[0]!;
      tokens.forEach((token, t) => {
        const row = logits[t]!;
        expect(row.indexOf(Math.max(...row))).toBe(token);
      });
      // The summed log-probabilities equal forward's.
      const logProb = tokens.reduce((sum, token, t) => {
        const row = logits[t]!;
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((a, b) => a + Math.exp(b - max), 0));
        return sum + row[token]! - lse;
      }, 0);
      expect(hyps[r]!.logProb).toBeCloseTo(logProb, 4);
    }
    model.dispose();
  });

  it("beam search's scores equal forward's log-probabilities of each returned hypothesis", () => {
    const model = createSeq2Seq(config({ tie: true }));
    const state = model.initialState(src);
    const before = tf.memory().numTensors;
    const beams = beamSearch(model.decodeStep, state, {
      startId: 1,
      endId: 2,
      maxLength: 7,
      beamWidth: 3,
      nBest: 3,
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(state);
    let checked = 0;
    beams.forEach((hyps, r) => {
      for (const hyp of hyps) {
        const prefix = [1, ...hyp.tokens.slice(0, -1)];
        const logits = forwardLogits(model, [src[r]!], [prefix])[0]!;
        const logProb = hyp.tokens.reduce((sum, token, t) => {
          const row = logits[t]!;
          const max = Math.max(...row);
          const lse = max + Math.log(row.reduce((a, b) => a + Math.exp(b - max), 0));
          return sum + row[token]! - lse;
        }, 0);
        expect(hyp.logProb).toBeCloseTo(logProb, 4);
        checked++;
      }
    });
    expect(checked).toBe(6);
    model.dispose();
  });
});
