import { CELL_KINDS, createEncoder } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const src = [
  [3, 4, 5, 0, 0],
  [6, 7, 8, 9, 2],
];

describe('createEncoder', () => {
  for (const cell of CELL_KINDS) {
    for (const bidirectional of [false, true]) {
      it(`${cell}${bidirectional ? ', bidirectional' : ''}: shapes, mask, padding skipped`, () => {
        const before = tf.memory().numTensors;
        const encoder = createEncoder({
          vocabSize: 10,
          embeddingDim: 4,
          units: 3,
          cell,
          bidirectional,
          seed: 1,
        });
        const stateSize = bidirectional ? 6 : 3;
        expect(encoder.stateSize).toBe(stateSize);
        const { outputs, states, srcMask } = encoder.encode(src);
        expect(outputs.shape).toEqual([2, 5, stateSize]);
        expect(states.length).toBe(cell === 'lstm' ? 2 : 1);
        for (const s of states) expect(s.shape).toEqual([2, stateSize]);
        expect(srcMask.arraySync()).toEqual([
          [1, 1, 1, 0, 0],
          [1, 1, 1, 1, 1],
        ]);
        // The padded row ends in the same state as the same tokens without padding.
        const alone = encoder.encode([[3, 4, 5]]);
        for (let i = 0; i < states.length; i++) {
          const padded = (states[i]!.arraySync() as number[][])[0];
          expectClose(padded, (alone.states[i]!.arraySync() as number[][])[0], 1e-6);
        }
        // Output at the last real step (forward half) and at step 0 (backward half) are h.
        const out = alone.outputs.arraySync() as number[][][];
        const h = (alone.states[0]!.arraySync() as number[][])[0]!;
        expectClose(out[0]![2]!.slice(0, 3), h.slice(0, 3), 1e-6);
        if (bidirectional) expectClose(out[0]![0]!.slice(3), h.slice(3), 1e-6);
        tf.dispose([outputs, srcMask, ...states, alone.outputs, alone.srcMask, ...alone.states]);
        for (const w of encoder.model.weights) w.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('rnn cell computes h_t = tanh(W x_t + U h_{t-1} + b), checked in plain JavaScript', () => {
    const encoder = createEncoder({
      vocabSize: 10,
      embeddingDim: 4,
      units: 3,
      cell: 'rnn',
      maskZero: false,
      seed: 3,
    });
    const ids = [6, 7, 8, 9, 2];
    const { outputs, states, srcMask } = encoder.encode([ids]);
    const [E, W, U, b] = encoder.model.weights.map((w) => w.read().arraySync()) as [
      number[][],
      number[][],
      number[][],
      number[],
    ];
    let h = [0, 0, 0];
    const expected: number[][] = [];
    for (const id of ids) {
      const x = E[id]!;
      h = h.map((_, j) => {
        let z = b[j]!;
        x.forEach((xi, i) => {
          z += xi * W[i]![j]!;
        });
        h.forEach((hi, i) => {
          z += hi * U[i]![j]!;
        });
        return Math.tanh(z);
      });
      expected.push(h);
    }
    expectClose((outputs.arraySync() as number[][][])[0]!, expected, 1e-5);
    expectClose((states[0]!.arraySync() as number[][])[0]!, h, 1e-5);
    expect(srcMask.arraySync()).toEqual([[1, 1, 1, 1, 1]]);
    tf.dispose([outputs, srcMask, ...states]);
  });

  it('dropout acts only while training', () => {
    const encoder = createEncoder({
      vocabSize: 10,
      embeddingDim: 4,
      units: 3,
      cell: 'lstm',
      dropout: 0.5,
      seed: 4,
    });
    const ids = tf.tensor2d(src, undefined, 'int32');
    const read = (training: boolean) => {
      const { outputs, states, srcMask } = encoder.run(ids, training);
      const values = Array.from(outputs.dataSync());
      tf.dispose([outputs, srcMask, ...states]);
      return values;
    };
    const inference = read(false);
    expect(read(false)).toEqual(inference);
    expect(read(true)).not.toEqual(inference);
    ids.dispose();
  });

  it('stacks layers: numLayers 2 has twice the recurrent weights', () => {
    const one = createEncoder({ vocabSize: 10, embeddingDim: 4, units: 3, cell: 'gru' });
    const two = createEncoder({
      vocabSize: 10,
      embeddingDim: 4,
      units: 3,
      cell: 'gru',
      numLayers: 2,
    });
    // GRU (reset_after = true, Keras 2+): 3 * (units * (input + units) + 2 * units), as Keras
    // counts GRU(3) with its input and recurrent biases.
    const gru = (input: number) => 3 * (3 * (input + 3) + 2 * 3);
    expect(one.model.countParams()).toBe(10 * 4 + gru(4));
    expect(two.model.countParams()).toBe(10 * 4 + gru(4) + gru(3));
    // reset_after = false (TF.js's GRU): one bias, 3 * (units * (input + units) + units).
    const before = createEncoder({
      vocabSize: 10,
      embeddingDim: 4,
      units: 3,
      cell: 'gru',
      resetAfter: false,
    });
    expect(before.model.countParams()).toBe(10 * 4 + 3 * (3 * (4 + 3) + 3));
  });

  it('rejects bad token input, naming the argument and value', () => {
    const encoder = createEncoder({ vocabSize: 10, embeddingDim: 4, units: 3, cell: 'lstm' });
    expect(() => encoder.encode([[1, 2], [3]])).toThrow(
      'src[1] must be a row of length 2 like src[0] (pad the rows to one length first), got "a row of length 1".',
    );
    expect(() => encoder.encode([[1, 12]])).toThrow(
      'src[0][1] holds token id 12, outside the vocabulary [0, 10) (vocabSize 10).',
    );
    const floats = tf.tensor2d([[1, 2]]);
    expect(() => encoder.encode(floats)).toThrow('src must be an int32 tensor');
    const rank1 = tf.tensor1d([1, 2], 'int32');
    expect(() => encoder.encode(rank1)).toThrow(
      'src must be token ids of rank 2, [batchSize, length], got "a rank-1 tensor of shape [2]".',
    );
    tf.dispose([floats, rank1]);
  });
});

function expectClose(actual: unknown, expected: unknown, tolerance: number): void {
  const a = (actual as number[]).flat(3) as number[];
  const e = (expected as number[]).flat(3) as number[];
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - e[i]!)).toBeLessThanOrEqual(tolerance);
  });
}
