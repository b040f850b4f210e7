// Keras-example training throughput: encdec's training loop (logits + masked cross-entropy,
// optimizer.computeGradients) against the Keras path (`model.fit` of the compiled softmax model)
// on the same model, backend and data, in one process. The Keras example's sizes (bench/PERFORMANCE.md):
// vocabulary 10,000, Embedding 32, LSTM 32, batch 64, 100 source and 20 target tokens.
//
//   npx tsc -b && node bench/model.bench.mjs     (or npm run bench -- model)
import { createKerasExampleModel, initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const BATCH = 64;
const SRC_LEN = 100;
const TGT_LEN = 20;
const WARMUP = 2;
const STEPS = 4;

const { backend } = await initBackend({ log: null });
const ids = (rows, cols) => tf.randomUniform([rows, cols], 1, 10_000, 'int32', 1);
const src = ids(BATCH, SRC_LEN);
const tgtIn = ids(BATCH, TGT_LEN);
const tgtOut = ids(BATCH, TGT_LEN);
const tgtOut3d = tgtOut.expandDims(-1).toFloat(); // Keras' sparse targets: [batch, tgtLen, 1]

async function samplesPerSecond(step) {
  for (let i = 0; i < WARMUP; i++) await step();
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) await step();
  return (STEPS * BATCH) / ((performance.now() - started) / 1000);
}

const ours = createKerasExampleModel({ seed: 1 });
const oursRate = await samplesPerSecond(() =>
  ours.fit([src, tgtIn], tgtOut, { batchSize: BATCH, epochs: 1, verbose: false, shuffle: false }),
);
const keras = createKerasExampleModel({ seed: 1 });
const kerasRate = await samplesPerSecond(() =>
  keras.model.fit([src, tgtIn], tgtOut3d, { batchSize: BATCH, epochs: 1, verbose: 0 }),
);
console.log(
  `backend ${backend}, Keras example (${ours.countParams()} params), batch ${BATCH}, ${SRC_LEN} -> ${TGT_LEN} tokens`,
);
console.log(`encdec fit (logits + masked cross-entropy): ${oursRate.toFixed(1)} samples/s`);
console.log(`Keras path (model.fit, softmax output):     ${kerasRate.toFixed(1)} samples/s`);
console.log(`ratio encdec / Keras path: ${(oursRate / kerasRate).toFixed(2)}x`);
tf.dispose([src, tgtIn, tgtOut, tgtOut3d]);
ours.dispose();
keras.dispose();
