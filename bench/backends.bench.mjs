#!/usr/bin/env node
// Training throughput of the Keras example on the cpu backend (with encdec's linear-time
// UnsortedSegmentSum; the stock kernel takes minutes per step) and on wasm (which cannot train it
// at all without encdec's kernels), in one process, and the ratio wasm / cpu. wasm runs twice:
// first switched to by hand (`tf.setBackend('wasm')`: only the kernels registered on import, the
// stock BatchMatMul), then through `initBackend` (which also swaps in the faster transposed
// BatchMatMul); the ratio of the two is that kernel's gain.
//
// Keras example (bench/PERFORMANCE.md): vocabSize 10,000, embeddingDim 32, LSTM 32 encoder
// (returnState) and decoder (initialState), Dense(10,000) softmax, rmsprop,
// sparseCategoricalCrossentropy;
// batchSize 64, srcLen 100, tgtLen 20. `trainOnBatch`, after warm-up steps (V8 and the backends
// need a few iterations). Build first: `npx tsc -b`.
//
//   node bench/backends.bench.mjs            # both backends (about 1.5 minutes here)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@encdec/core';

const vocabSize = 10_000;
const embeddingDim = 32;
const units = 32;
const batchSize = 64;
const srcLen = 100;
const tgtLen = 20;
// cpu takes ~20 s a step here: one warm-up and two timed steps keep the bench under 2 minutes.
const plan = {
  cpu: { warmup: 1, steps: 2 },
  wasm: { warmup: 3, steps: 6 },
};

function kerasExample() {
  const srcIn = tf.input({ shape: [srcLen], dtype: 'int32' }); // [batchSize, srcLen]
  const tgtIn = tf.input({ shape: [tgtLen], dtype: 'int32' }); // [batchSize, tgtLen]
  const srcEmb = tf.layers.embedding({ inputDim: vocabSize, outputDim: embeddingDim });
  const tgtEmb = tf.layers.embedding({ inputDim: vocabSize, outputDim: embeddingDim });
  const [, h, c] = tf.layers.lstm({ units, returnState: true }).apply(srcEmb.apply(srcIn));
  const decoded = tf.layers
    .lstm({ units, returnSequences: true })
    .apply(tgtEmb.apply(tgtIn), { initialState: [h, c] }); // [batchSize, tgtLen, units]
  const probs = tf.layers.dense({ units: vocabSize, activation: 'softmax' }).apply(decoded);
  const model = tf.model({ inputs: [srcIn, tgtIn], outputs: probs });
  model.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function batch() {
  return tf.tidy(() => ({
    xs: [
      tf.randomUniform([batchSize, srcLen], 1, vocabSize, 'int32'),
      tf.randomUniform([batchSize, tgtLen], 1, vocabSize, 'int32'),
    ],
    y: tf.randomUniform([batchSize, tgtLen, 1], 1, vocabSize, 'int32').toFloat(),
  }));
}

/** Samples/s of `trainOnBatch` on `backend`; `byHand` skips initBackend (tf.setBackend only). */
async function measure(backend, label, byHand = false) {
  if (byHand) {
    if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  } else {
    const choice = await initBackend({ backend, log: null });
    if (choice.backend !== backend) throw new Error(`wanted ${backend}: ${choice.reason}`);
  }
  const model = kerasExample();
  const { xs, y } = batch();
  const { warmup, steps } = plan[backend];
  let loss = 0;
  for (let i = 0; i < warmup; i++) loss = await model.trainOnBatch(xs, y);
  const start = performance.now();
  for (let i = 0; i < steps; i++) loss = await model.trainOnBatch(xs, y);
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([...xs, y]);
  model.dispose();
  const samplesPerSecond = (steps * batchSize) / seconds;
  console.log(
    `${label.padEnd(36)} ${samplesPerSecond.toFixed(1).padStart(7)} samples/s ` +
      `(${((seconds / steps) * 1000).toFixed(0)} ms/step, ${steps} steps after ${warmup} warm-up, ` +
      `loss ${loss.toFixed(3)})`,
  );
  return samplesPerSecond;
}

console.log(
  `Keras example: vocabSize ${vocabSize}, embeddingDim ${embeddingDim}, LSTM ${units}, ` +
    `batchSize ${batchSize}, srcLen ${srcLen}, tgtLen ${tgtLen}; trainOnBatch, rmsprop`,
);
const cpu = await measure('cpu', 'cpu (initBackend)');
const wasmByHand = await measure('wasm', 'wasm (tf.setBackend, stock matMul)', true);
const wasm = await measure('wasm', 'wasm (initBackend)');
console.log(`ratio wasm / cpu: ${(wasm / cpu).toFixed(1)}x`);
console.log(`ratio wasm initBackend / wasm by hand: ${(wasm / wasmByHand).toFixed(2)}x`);
