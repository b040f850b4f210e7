/**
 * The fused loops' products on the wasm backend's matrix product: equal to the JavaScript ones
 * (float32 against float64) on blocks with strides and offsets, small products left to
 * JavaScript, nothing left on the heap; and whole fused layers, large enough to take this path,
 * equal to the stock layers on wasm, forward and backward.
 */
import { FusedGru, FusedLstm, FusedSimpleRnn } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { block, jsProducts } from '../../../packages/core/src/layers/fused-matmul.js';
import { MIN_WASM_WORK, wasmProducts } from '../../../packages/core/src/layers/wasm-products.js';

const random = seedrandom('wasm-products');
const matrix = (rows: number, cols: number) =>
  Float64Array.from({ length: rows * cols }, () => random() * 2 - 1);

type Heap = { numDataIds(): number };
beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasmProducts', () => {
  it('is null off wasm', async () => {
    await tf.setBackend('cpu');
    expect(wasmProducts()).toBeNull();
    await tf.setBackend('wasm');
  });

  for (const [rows, inner, cols] of [
    [64, 32, 128],
    [7, 5, 9],
  ] as const) {
    it(`add and transposed equal JavaScript's at [${rows}, ${inner}, ${cols}], on column blocks`, () => {
      const heap = tf.backend() as unknown as Heap;
      const before = heap.numDataIds();
      const products = wasmProducts(0)!;
      const a = matrix(rows, inner + 2); // the last `inner` columns
      const m = matrix(inner, cols + 1); // the last `cols` columns
      const mT = matrix(cols, inner);
      for (let repeat = 0; repeat < 2; repeat++) {
        // add: into the middle columns of out, twice (the second reuses the heap buffers).
        const out = matrix(rows, cols + 2);
        const expected = Float64Array.from(out);
        const mBlock = block(m, cols + 1, 1);
        jsProducts.add(
          block(expected, cols + 2, 1),
          block(a, inner + 2, 2),
          mBlock,
          rows,
          inner,
          cols,
        );
        products.add(block(out, cols + 2, 1), block(a, inner + 2, 2), mBlock, rows, inner, cols);
        for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i]!, 4);
        const outT = new Float64Array(rows * cols);
        const expectedT = new Float64Array(rows * cols);
        const mTBlock = block(mT, inner);
        jsProducts.transposed(
          block(expectedT, cols),
          block(a, inner + 2, 2),
          mTBlock,
          rows,
          inner,
          cols,
        );
        products.transposed(block(outT, cols), block(a, inner + 2, 2), mTBlock, rows, inner, cols);
        for (let i = 0; i < outT.length; i++) expect(outT[i]).toBeCloseTo(expectedT[i]!, 4);
      }
      products.dispose();
      expect(heap.numDataIds()).toBe(before);
    });
  }

  it(`leaves products under ${MIN_WASM_WORK} multiply-adds to JavaScript (bit-equal)`, () => {
    const products = wasmProducts()!;
    const [rows, inner, cols] = [4, 8, 16];
    const a = matrix(rows, inner);
    const m = matrix(inner, cols);
    const out = new Float64Array(rows * cols);
    const expected = new Float64Array(rows * cols);
    products.add(block(out, cols), block(a, inner), block(m, cols), rows, inner, cols);
    jsProducts.add(block(expected, cols), block(a, inner), block(m, cols), rows, inner, cols);
    expect(out).toEqual(expected);
    products.dispose();
  });
});

describe('fused layers on the wasm products equal the stock layers', () => {
  // Only the simple RNN's loop takes these products on wasm: LSTMs and GRUs run on encdec's loop
  // kernels, 30 units padded to 32 (fused-loops.ts), and are checked here all the same.
  const [batch, steps, inputDim, units] = [16, 7, 8, 30];
  const layers = {
    lstm: () => [tf.layers.lstm, (a: tf.layers.LayerArgs) => new FusedLstm(a as never)],
    gru: () => [tf.layers.gru, (a: tf.layers.LayerArgs) => new FusedGru(a as never)],
    rnn: () => [tf.layers.simpleRNN, (a: tf.layers.LayerArgs) => new FusedSimpleRnn(a as never)],
  } as const;
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: outputs and gradients`, () => {
      const args = () => ({
        units,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        recurrentInitializer: tf.initializers.orthogonal({ gain: 1, seed: 4 }),
      });
      const [makeStock, makeFused] = layers[cell]();
      const stock = (makeStock as (a: object) => tf.layers.Layer)(args());
      const fused = makeFused(args() as tf.layers.LayerArgs);
      const x = tf.tidy(() =>
        tf.variable(tf.randomNormal([batch, steps, inputDim], 0, 1, 'float32', 5)),
      );
      const weight = tf.randomNormal([batch, steps, units], 0, 1, 'float32', 6);
      const run = (layer: tf.layers.Layer, weights?: tf.Tensor[]) => {
        tf.tidy(() => layer.apply(x));
        if (weights) layer.setWeights(weights);
        const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
        // Counted around the gradient only: an eager apply of a TF.js RNN layer on a variable
        // keeps one tensor, stock layers included.
        const before = tf.memory().numTensors;
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, weight)),
          vars,
        );
        const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) =>
          Array.from(t.dataSync()),
        );
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        return out;
      };
      const expected = run(stock);
      const actual = run(fused, stock.getWeights());
      expected.forEach((e, i) => {
        const scale = Math.max(1, ...e.map(Math.abs));
        const worst = Math.max(...e.map((v, j) => Math.abs(actual[i]![j]! - v)));
        expect(worst / scale, `array ${i}`).toBeLessThan(1e-4);
      });
      stock.dispose();
      fused.dispose();
      tf.dispose([x, weight]);
    });
  }
});
