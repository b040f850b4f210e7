/**
 * With encdec's kernels registered (importing `@encdec/core` does it), seq2seq models train on
 * wasm: one training step of an encoder-decoder like the Keras example's (LSTM, GRU, SimpleRNN) and the gradients
 * of a small dot-product attention path equal the same computation on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@encdec/core';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose } from '../expect-close.js';

const vocabSize = 40;
const embeddingDim = 6;
const units = 5;
const batchSize = 3;
const srcLen = 7;
const tgtLen = 4;

const random = seedrandom('wasm-training');
const ids = (rows: number, cols: number) =>
  Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => 1 + Math.floor(random() * (vocabSize - 1))),
  );
// Padding (id 0) at the end of two source rows, so masks take part.
const src = ids(batchSize, srcLen).map((row, b) => row.map((id, t) => (t >= srcLen - b ? 0 : id)));
const tgtIn = ids(batchSize, tgtLen);
const tgtOut = ids(batchSize, tgtLen);

type Rnn = 'lstm' | 'gru' | 'simpleRNN';

/** Embedding -> RNN(returnState) encoder; Embedding -> RNN(initialState) decoder -> Dense softmax. */
function kerasExampleLike(kind: Rnn): tf.LayersModel {
  const rnn = (config: tf.LSTMLayerArgs) => tf.layers[kind](config) as tf.RNN;
  const srcIn = tf.input({ shape: [null], dtype: 'int32' }); // [batchSize, srcLen]
  const tgtIn = tf.input({ shape: [null], dtype: 'int32' }); // [batchSize, tgtLen]
  const srcEmb = tf.layers.embedding({
    inputDim: vocabSize,
    outputDim: embeddingDim,
    maskZero: true,
  });
  const tgtEmb = tf.layers.embedding({ inputDim: vocabSize, outputDim: embeddingDim });
  const [, ...state] = rnn({ units, returnState: true }).apply(
    srcEmb.apply(srcIn),
  ) as tf.SymbolicTensor[];
  const decoded = rnn({ units, returnSequences: true }).apply(tgtEmb.apply(tgtIn), {
    initialState: state,
  }); // [batchSize, tgtLen, units]
  const probs = tf.layers.dense({ units: vocabSize, activation: 'softmax' }).apply(decoded);
  const model = tf.model({ inputs: [srcIn, tgtIn], outputs: probs as tf.SymbolicTensor });
  model.compile({ optimizer: tf.train.rmsprop(0.01), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/** One `trainOnBatch` on `backend` from `initial` weights: the loss and the weights after it. */
async function trainStep(backend: string, kind: Rnn, initial?: tf.Tensor[]) {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = kerasExampleLike(kind);
  const start = initial ?? model.getWeights().map((w) => w.clone());
  model.setWeights(start);
  const xs = [tf.tensor2d(src, undefined, 'int32'), tf.tensor2d(tgtIn, undefined, 'int32')];
  const y = tf.tensor3d(tgtOut.map((row) => row.map((id) => [id]))); // [batchSize, tgtLen, 1]
  const loss = (await model.trainOnBatch(xs, y)) as number;
  const after = await Promise.all(model.getWeights().map((w) => w.data()));
  tf.dispose([...xs, y]);
  model.optimizer.dispose(); // a model owns only optimizers given by name
  model.dispose();
  return { loss, after, start, leaked: tf.memory().numTensors - before };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('training on wasm equals cpu', () => {
  for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
    it(`Keras example with ${kind}: one rmsprop step`, async () => {
      const onCpu = await trainStep('cpu', kind);
      const onWasm = await trainStep('wasm', kind, onCpu.start);
      expect(Number.isFinite(onCpu.loss)).toBe(true);
      // Untrained softmax over 40 words: the loss starts near ln(40) = 3.69.
      expect(onCpu.loss).toBeGreaterThan(3.4);
      expect(onCpu.loss).toBeLessThan(4.0);
      expect(onWasm.loss).toBeCloseTo(onCpu.loss, 4);
      expect(onWasm.after.length).toBe(onCpu.after.length);
      let changed = 0;
      for (const [i, weights] of onCpu.after.entries()) {
        expectAllClose(onWasm.after[i]!, weights, 1e-4);
        const startValues = onCpu.start[i]!.dataSync();
        changed += weights.filter((v, j) => Math.abs(v - startValues[j]!) > 1e-4).length;
      }
      expect(changed).toBeGreaterThan(0); // the step did train
      tf.dispose(onCpu.start);
      expect(onCpu.leaked - onCpu.start.length).toBe(0);
      expect(onWasm.leaked).toBe(0);
    });
  }

  it('dot-product attention path: gradients equal cpu', async () => {
    // x [batch, len, in] times w [in, out] as one 2-D product: tf.matMul broadcasting w over the
    // batch has a gradient of the wrong shape in TF.js 4.22 ([batch, in, out], not summed).
    const project = (x: tf.Tensor, w: tf.Tensor) => {
      const [batch, len, inner] = x.shape as [number, number, number];
      const flat = tf.matMul(x.reshape([batch * len, inner]), w); // [batch * len, out]
      return flat.reshape([batch, len, w.shape[1]!]); // [batch, len, out]
    };
    // Initial values made on cpu as plain arrays, so both backends start from the same numbers.
    const normal = (shape: number[]) =>
      tf.tidy(() => tf.randomNormal(shape, 0, 0.5, 'float32', 7).arraySync());
    const init = {
      srcTable: normal([vocabSize, embeddingDim]),
      tgtTable: normal([vocabSize, embeddingDim]),
      wEnc: normal([embeddingDim, units]),
      wDec: normal([embeddingDim, units]),
      wOut: normal([2 * units, vocabSize]),
    };
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const vars = Object.fromEntries(
        Object.entries(init).map(([k, v]) => [
          k,
          tf.tidy(() => tf.variable(tf.tensor(v as number[][]))),
        ]),
      ) as Record<keyof typeof init, tf.Variable>;
      const srcIds = tf.tensor2d(src, undefined, 'int32');
      const tgtIds = tf.tensor2d(tgtIn, undefined, 'int32');
      const labels = tf.tidy(() => tf.oneHot(tf.tensor2d(tgtOut, undefined, 'int32'), vocabSize));
      const { value, grads } = tf.variableGrads(() => {
        const enc = tf.tanh(project(tf.gather(vars.srcTable, srcIds), vars.wEnc)); // [batchSize, srcLen, units]
        const dec = tf.tanh(project(tf.gather(vars.tgtTable, tgtIds), vars.wDec)); // [batchSize, tgtLen, units]
        const scores = tf.matMul(dec, enc, false, true); // [batchSize, tgtLen, srcLen]
        const padding = tf.expandDims(tf.equal(srcIds, 0), 1); // [batchSize, 1, srcLen]
        const weights = tf.softmax(tf.where(padding, tf.fill(scores.shape, -1e9), scores));
        const context = tf.matMul(weights, enc); // [batchSize, tgtLen, units]
        const logits = project(tf.concat([context, dec], -1), vars.wOut); // [batchSize, tgtLen, vocabSize]
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, Object.values(vars));
      const result = {
        loss: (await value.data())[0]!,
        grads: await Promise.all(Object.values(grads).map((g) => g.data())),
      };
      tf.dispose([value, srcIds, tgtIds, labels, ...Object.values(grads), ...Object.values(vars)]);
      expect(tf.memory().numTensors).toBe(before);
      return result;
    };
    const onCpu = await grads('cpu');
    const onWasm = await grads('wasm');
    expect(onWasm.loss).toBeCloseTo(onCpu.loss, 4);
    expect(onCpu.grads.length).toBe(5);
    for (const [i, g] of onCpu.grads.entries()) {
      expect(g.some((v) => v !== 0)).toBe(true);
      expectAllClose(onWasm.grads[i]!, g, 1e-4);
    }
  });
});

describe('package.json sideEffects', () => {
  it('names register.js, the only backend module with an effect at import', async () => {
    const { readFile } = await import('node:fs/promises');
    const url = new URL('../../../../packages/core/package.json', import.meta.url);
    const { sideEffects } = JSON.parse(await readFile(url, 'utf8')) as { sideEffects: string[] };
    const backend = sideEffects.filter((path) => path.startsWith('./dist/backend/'));
    expect(backend).toEqual(['./dist/backend/kernels/register.js']);
  });
});
