import {
  ATTENTION_KINDS,
  beamSearch,
  CELL_KINDS,
  createKerasExampleModel,
  createSeq2Seq,
  type DecoderAttention,
  EncdecError,
  greedySearch,
  type RecurrentState,
  type Seq2SeqState,
  type StepFn,
  sampleSearch,
  shiftRight,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const V = 12;
const src = [
  [3, 4, 5, 6, 0, 0],
  [7, 8, 9, 10, 11, 4],
];
const tgtOut = [
  [6, 5, 4, 3, 2],
  [9, 8, 7, 2, 0],
];
const tgtIn = shiftRight(tgtOut, 1);

/** Keras' parameter counts, from the layer formulas. */
const keras = {
  embedding: (vocabSize: number, dim: number) => vocabSize * dim,
  lstm: (input: number, units: number) => 4 * (units * (input + units) + units),
  dense: (input: number, units: number, bias = true) => input * units + (bias ? units : 0),
};

describe('createKerasExampleModel: the Keras example', () => {
  it('has the Keras parameter count, 986,640', () => {
    const example = createKerasExampleModel();
    const expected =
      2 * keras.embedding(10_000, 32) + 2 * keras.lstm(32, 32) + keras.dense(32, 10_000);
    expect(expected).toBe(986_640);
    expect(example.countParams()).toBe(expected);
    const lines: string[] = [];
    example.summary((line) => lines.push(String(line)));
    expect(lines.join('\n')).toContain('Total params: 986640');
    expect(example.model.optimizer).toBeInstanceOf(tf.RMSPropOptimizer);
    expect(example.model.loss).toBe('sparseCategoricalCrossentropy');
    example.dispose();
  });

  it("its Keras-equivalent model's softmax output equals softmax(logits) of the eager pass", () => {
    const models = [
      createKerasExampleModel({ vocabSize: V, seed: 5 }),
      // Masked, bidirectional, attending: what TF.js's graph executor gets wrong unguarded.
      createSeq2Seq({
        encoder: { vocabSize: V, embeddingDim: 4, units: 3, cell: 'lstm', bidirectional: true },
        decoder: { vocabSize: V, embeddingDim: 4, units: 6, cell: 'lstm', attention: 'dot' },
      }),
    ];
    for (const model of models) {
      const [s, t] = [tf.tensor2d(src, undefined, 'int32'), tf.tensor2d(tgtIn, undefined, 'int32')];
      const probs = model.model.predict([s, t]) as tf.Tensor;
      const { logits, attention } = model.forward([s, t]);
      const expected = tf.softmax(logits);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(probs, expected))).dataSync()[0])).toBeLessThan(
        1e-6,
      );
      tf.dispose([s, t, probs, logits, attention, expected]);
      model.dispose();
    }
  });
});

describe('createSeq2Seq with attention', () => {
  it('counts parameters as Keras would (bidirectional encoder, general attention)', () => {
    const model = createSeq2Seq({
      encoder: { vocabSize: V, embeddingDim: 4, units: 3, cell: 'lstm', bidirectional: true },
      decoder: { vocabSize: 9, embeddingDim: 5, units: 6, cell: 'lstm', attention: 'general' },
    });
    const expected =
      keras.embedding(V, 4) +
      2 * keras.lstm(4, 3) + // forward and backward
      keras.embedding(9, 5) +
      keras.lstm(5, 6) +
      6 * 6 + // general attention W [units, units]
      keras.dense(12, 6, false) + // W_c [c; h] -> units, no bias (Luong et al. 2015)
      keras.dense(6, 9);
    expect(model.countParams()).toBe(expected);
    model.dispose();
  });
});

describe('decodeStep, step by step, equals the teacher-forced pass (shared weights)', () => {
  const attentions: DecoderAttention[] = ['none', ...ATTENTION_KINDS];
  for (const cell of CELL_KINDS) {
    for (const attention of attentions) {
      it(`${cell}, attention ${attention}`, () => {
        const model = createSeq2Seq({
          encoder: { vocabSize: V, embeddingDim: 4, units: 3, cell, bidirectional: cell === 'gru' },
          decoder: {
            vocabSize: V,
            embeddingDim: 5,
            units: cell === 'gru' ? 6 : 3,
            cell,
            attention,
          },
        });
        const before = tf.memory().numTensors;
        const { logits, attention: weights } = model.forward([src, tgtIn]);
        let state: Seq2SeqState = model.initialState(src);
        expect(Object.keys(state).sort()).toEqual(
          [
            ...(cell === 'lstm' ? ['c'] : []),
            ...(attention === 'none' ? [] : ['encOutputs', 'srcMask']),
            'h',
          ].sort(),
        );
        const teacher = tf.tidy(() => tf.logSoftmax(logits).arraySync()) as number[][][];
        const teacherWeights = weights?.arraySync() as number[][][] | undefined;
        for (let t = 0; t < tgtIn[0]!.length; t++) {
          const tokens = tf.tensor1d(
            tgtIn.map((row) => row[t]!),
            'int32',
          );
          const out = model.decodeStep(tokens, state);
          // The step's logits are the teacher-forced ones: compare their log-softmax.
          const logProbs = tf.tidy(() => tf.logSoftmax(out.logits!).arraySync());
          for (let r = 0; r < 2; r++) {
            logProbs[r]!.forEach((v, k) => {
              expect(Math.abs(v - teacher[r]![t]![k]!)).toBeLessThan(1e-5);
            });
          }
          if (teacherWeights) {
            const w = out.attention!.arraySync();
            expect(w[0]!.slice(4)).toEqual([0, 0]); // padding gets no attention
            for (let r = 0; r < 2; r++) {
              w[r]!.forEach((v, k) => {
                expect(Math.abs(v - teacherWeights[r]![t]![k]!)).toBeLessThan(1e-5);
              });
            }
          } else {
            expect(out.attention).toBeUndefined();
          }
          tf.dispose([tokens, state, out.logits, out.attention]);
          state = out.state;
        }
        tf.dispose([state, logits, weights]);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  }
});

describe('no leaked tensors', () => {
  it('across fit, evaluate, encode and 100 decodeSteps', async () => {
    const model = createSeq2Seq({
      encoder: { vocabSize: V, embeddingDim: 4, units: 3, cell: 'lstm', seed: 1 },
      decoder: { vocabSize: V, embeddingDim: 4, units: 3, cell: 'lstm', attention: 'additive' },
    });
    const fitOptions = {
      epochs: 1,
      batchSize: 1,
      verbose: false,
      validationSplit: 0.5,
      clipNorm: 1,
    };
    await model.fit([src, tgtIn], tgtOut, fitOptions); // creates the optimizer's slots once
    const before = tf.memory().numTensors;
    await model.fit([src, tgtIn], tgtOut, fitOptions);
    await model.evaluate([src, tgtIn], tgtOut);
    tf.dispose(Object.values(model.encode(src)).flat());
    let state = model.initialState(src);
    for (let step = 0; step < 100; step++) {
      const tokens = tf.tensor1d([1 + (step % 5), 2], 'int32');
      const out = model.decodeStep(tokens, state);
      tf.dispose([tokens, state, out.logits, out.attention]);
      state = out.state;
    }
    tf.dispose(state);
    expect(tf.memory().numTensors).toBe(before);
    expect(model.history.epoch).toEqual([0, 1]);
    expect(Object.keys(model.history.history).sort()).toEqual([
      'accuracy',
      'loss',
      'val_accuracy',
      'val_loss',
    ]);
    model.dispose();
  });
});

describe('input checks', () => {
  const model = () =>
    createSeq2Seq({
      encoder: { vocabSize: V, embeddingDim: 4, units: 3, cell: 'gru' },
      decoder: { vocabSize: V, embeddingDim: 4, units: 3, cell: 'gru', attention: 'dot' },
    });

  it('fit and evaluate name the bad argument', async () => {
    const m = model();
    await expect(m.fit([src, tgtIn], [[1, 2, 3]])).rejects.toThrow(
      'tgtOut must be the shape of tgtIn [2,5], got [1,3].',
    );
    await expect(m.evaluate([src, tgtIn.slice(1)], tgtOut)).rejects.toThrow(
      'tgtIn must be 2 rows, one per src row, got "1 rows".',
    );
    await expect(m.fit([src, tgtIn], tgtOut, { batchSize: 0 })).rejects.toThrow(
      'batchSize must be a positive integer, got 0.',
    );
    await expect(
      m.fit([src, tgtIn], tgtOut, { validationData: [[src, tgtIn], [[13, 0, 0, 0, 0]]] }),
    ).rejects.toThrow(
      'validationData tgtOut[0][0] holds token id 13, outside the vocabulary [0, 12)',
    );
    m.dispose();
  });

  it('decodeStep names the bad token tensor or state', () => {
    const m = model();
    const state = m.initialState(src);
    const floats = tf.tensor1d([1, 1]);
    expect(() => m.decodeStep(floats, state)).toThrow(
      'tokens must be an int32 tensor [rows], got "float32 [2]".',
    );
    const tokens = tf.tensor1d([1, 1], 'int32');
    expect(() => m.decodeStep(tokens, { h: (state as RecurrentState).h })).toThrow(
      'state.encOutputs must be a tensor with 2 rows (one per token), got undefined.',
    );
    tf.dispose([floats, tokens, state]);
    m.dispose();
  });

  it.each([
    ['greedy', greedySearch],
    ['beam', (step, state, o) => beamSearch(step, state, { ...o, beamWidth: 2 })],
    ['sample', (step, state, o) => sampleSearch(step, state, { ...o, seed: 1 })],
  ] as [string, Search][])(
    '%s search checks startId and endId against the model vocabulary, leaking nothing',
    (_name, search) => {
      const m = model();
      const state = m.initialState(src);
      const before = tf.memory().numTensors;
      for (const [options, message] of [
        [
          { startId: V, endId: 2 },
          `startId must be an integer in [0, vocabSize) = [0, ${V}), got ${V}.`,
        ],
        [
          { startId: 1, endId: 99 },
          `endId must be an integer in [0, vocabSize) = [0, ${V}), got 99.`,
        ],
        [{ startId: -1, endId: 2 }, 'startId must be a non-negative integer, got -1.'],
      ] as const) {
        const error = (() => {
          try {
            search(m.decodeStep, state, { ...options, maxLength: 3 });
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(EncdecError);
        expect((error as Error).message).toBe(message);
      }
      expect(tf.memory().numTensors).toBe(before);
      // In range, it decodes.
      expect(search(m.decodeStep, state, { startId: V - 1, endId: 2, maxLength: 3 })).toHaveLength(
        2,
      );
      tf.dispose(state);
      m.dispose();
    },
  );
});

type Search = (
  step: StepFn<Seq2SeqState>,
  state: Seq2SeqState,
  options: { startId: number; endId: number; maxLength: number },
) => unknown[];
