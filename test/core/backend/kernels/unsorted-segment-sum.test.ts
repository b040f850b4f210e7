/**
 * encdec's linear-time UnsortedSegmentSum against TF.js's stock cpu kernel (the reference: it
 * builds one mask per segment, so it is slow but simple), on cpu and on wasm, and the gradient of
 * an Embedding on wasm against cpu.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encdecKernels } from '../../../../packages/core/src/backend/kernels/register.js';
import { stockKernel } from '../../../../packages/core/src/backend/kernels/registry.js';
import { expectAllClose } from '../expect-close.js';

const name = 'UnsortedSegmentSum';
const ours = encdecKernels.find((k) => k.kernelName === name && k.backendName === 'cpu')!;

/**
 * The stock cpu kernel's answer: registers it for the duration of one call. It handles rank-1 ids
 * only (it expands rank-2 ids on the wrong axis), so ids and the matching dims of x are flattened
 * first: by TF's definition the result depends only on each (row, id) pair.
 */
function stockSegmentSum(x: tf.Tensor, ids: tf.Tensor, numSegments: number): tf.Tensor {
  const stock = stockKernel(name, 'cpu')!;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel(stock);
  try {
    return tf.tidy(() => {
      // The stock kernel cannot pack zero segments; the answer is an empty tensor.
      if (numSegments === 0) return tf.zeros([0, ...x.shape.slice(ids.rank)], x.dtype);
      const flatIds = ids.reshape([-1]); // [rows]
      const flatX = x.reshape([flatIds.shape[0], ...x.shape.slice(ids.rank)]); // [rows, ...inner]
      return tf.unsortedSegmentSum(flatX, flatIds as tf.Tensor1D, numSegments);
    });
  } finally {
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel(ours);
  }
}

const random = seedrandom('unsorted-segment-sum');
function randomData(shape: number[], dtype: 'float32' | 'int32'): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, () =>
    dtype === 'int32' ? Math.floor(random() * 200) - 100 : random() * 2 - 1,
  );
  return tf.tensor(values, shape, dtype);
}
/** Ids in [low, high): a range wider than [0, numSegments) exercises the dropped ids. */
function randomIds(shape: number[], low: number, high: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, () => low + Math.floor(random() * (high - low)));
  return tf.tensor(values, shape, 'int32');
}

// [x shape, segmentIds shape, numSegments, id range]: rank-1/2/3 data, rank-1/2 ids, ids out of
// range on both sides, empty inputs, more segments than rows.
const cases: [number[], number[], number, [number, number]][] = [
  [[12], [12], 5, [0, 5]],
  [[12], [12], 5, [-3, 8]],
  [[9, 4], [9], 6, [-2, 8]],
  [[7, 3, 5], [7], 4, [0, 4]],
  [[4, 6, 3], [4, 6], 10, [-1, 12]],
  [[5, 2], [5], 40, [0, 40]],
  [[0, 3], [0], 4, [0, 4]],
  [[6, 3], [6], 0, [0, 3]],
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('UnsortedSegmentSum', () => {
  it('matches the published example (TensorFlow docs): [1,2,3,4] by [1,2,0,1] -> [3,5,2]', () => {
    const out = tf.unsortedSegmentSum(
      tf.tensor1d([1, 2, 3, 4]),
      tf.tensor1d([1, 2, 0, 1], 'int32'),
      3,
    );
    expect(Array.from(out.dataSync())).toEqual([3, 5, 2]);
    out.dispose();
  });

  it('replaces the stock cpu kernel and fills the missing wasm one', () => {
    expect(tf.getKernel(name, 'cpu')).toBe(ours);
    expect(stockKernel(name, 'cpu')).toBeDefined();
    expect(stockKernel(name, 'cpu')).not.toBe(ours);
    expect(tf.getKernel(name, 'wasm')?.kernelFunc).toBeTypeOf('function');
  });

  for (const backend of ['cpu', 'wasm']) {
    for (const dtype of ['float32', 'int32'] as const) {
      it(`equals the stock cpu kernel on ${backend}, ${dtype}`, async () => {
        for (const [xShape, idShape, numSegments, [low, high]] of cases) {
          await tf.setBackend('cpu');
          const x = randomData(xShape, dtype);
          const ids = randomIds(idShape, low, high);
          const expected = stockSegmentSum(x, ids, numSegments);
          await tf.setBackend(backend);
          const before = tf.memory().numTensors;
          const actual = tf.unsortedSegmentSum(x, ids as tf.Tensor1D, numSegments);
          expect(actual.shape).toEqual([numSegments, ...xShape.slice(idShape.length)]);
          expect(actual.dtype).toBe(dtype);
          expectAllClose(await actual.data(), await expected.data(), 1e-5);
          actual.dispose();
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([x, ids, expected]);
        }
      });
    }
  }

  it('rejects segmentIds whose shape is not a prefix of x', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.zeros([4, 3]);
      const ids = tf.zeros([3], 'int32');
      expect(() => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 2)).toThrow(
        'UnsortedSegmentSum: segmentIds shape [3] must be a prefix of x shape [4,3].',
      );
      tf.dispose([x, ids]);
    }
  });

  it('is linear in the number of segments: 100,000 segments take one pass', async () => {
    // The stock kernel would run ~5 ops per segment (500,000 ops, minutes); ours does one pass.
    await tf.setBackend('cpu');
    const ids = tf.tensor1d([99_999, 0, 99_999], 'int32');
    const out = tf.unsortedSegmentSum(tf.ones([3, 2]), ids, 100_000);
    const values = out.dataSync<'float32'>();
    expect([values[0], values[1], values[2 * 99_999], values[2 * 99_999 + 1]]).toEqual([
      1, 1, 2, 2,
    ]);
    expect(values.reduce((a, b) => a + b, 0)).toBe(6);
    tf.dispose([ids, out]);
  });
});

describe('Embedding gradient', () => {
  /** d/dW sum(embedding(ids) * w) for one backend; W starts from the same values. */
  async function embeddingGrad(
    backend: string,
    ids: number[][],
    w: number[][][],
    table: number[][],
  ) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const layer = tf.layers.embedding({ inputDim: table.length, outputDim: table[0]!.length });
    const idsT = tf.tensor2d(ids, undefined, 'int32');
    const wT = tf.tensor3d(w);
    tf.dispose(layer.apply(idsT) as tf.Tensor); // builds the weights
    const tableT = tf.tensor2d(table); // [vocabSize, embeddingDim]
    layer.setWeights([tableT]);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(idsT) as tf.Tensor, wT)) as tf.Scalar,
      layer.trainableWeights.map((v) => v.read() as tf.Variable),
    );
    const grad = Object.values(grads)[0]!;
    // tfjs returns the gradient of a gather as a dense tensor of the table's shape.
    const result = {
      shape: grad.shape,
      values: Array.from(await grad.data()),
      loss: await value.data(),
    };
    tf.dispose([idsT, wT, tableT, value, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    return result;
  }

  it('is equal on wasm and cpu, and to the sum of w over each id (by hand)', async () => {
    const vocabSize = 30;
    const embeddingDim = 4;
    const ids = [
      [1, 5, 5, 29, 0],
      [7, 1, 1, 1, 3],
    ]; // [batchSize, srcLen]
    const w = ids.map((row) => row.map(() => Array.from({ length: embeddingDim }, () => random())));
    const table = Array.from({ length: vocabSize }, () =>
      Array.from({ length: embeddingDim }, () => random() - 0.5),
    );
    const onCpu = await embeddingGrad('cpu', ids, w, table);
    const onWasm = await embeddingGrad('wasm', ids, w, table);
    // By hand: row r of the gradient is the sum of w[b][t] over the positions where ids[b][t] = r.
    const byHand = new Array(vocabSize * embeddingDim).fill(0);
    for (const [b, row] of ids.entries()) {
      for (const [t, id] of row.entries()) {
        for (const [j, v] of w[b]![t]!.entries()) byHand[id * embeddingDim + j] += v;
      }
    }
    expect(onCpu.shape).toEqual([vocabSize, embeddingDim]);
    expect(onWasm.shape).toEqual([vocabSize, embeddingDim]);
    expectAllClose(onWasm.values, onCpu.values, 1e-5);
    expectAllClose(onCpu.values, byHand, 1e-5);
    expect(onWasm.loss[0]).toBeCloseTo(onCpu.loss[0]!, 4);
  });
});
