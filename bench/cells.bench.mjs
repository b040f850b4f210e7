// The recurrent cells' forms on wasm: forward + backward of one fused layer over [64, 100, 32]
// (batch, steps, features; 32 units), for each gate activation (the logistic sigmoid, the
// default; TF.js's hardSigmoid) and each GRU form (reset after the recurrent product, the
// default; before it, TF.js's), and the Keras example's training step (64 rows, 100 source and 20
// target tokens, vocabulary 10,000) with each gate activation.
//
//   npx tsc -b && node bench/cells.bench.mjs     (or npm run bench -- cells)
import { createSeq2Seq, FusedGru, FusedLstm, initBackend, kerasExampleConfig } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const ROUNDS = 3;
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];

/** A function that times `step` (async or not): the median of `runs` calls, after `warmup`. */
function timer(step, warmup, runs) {
  let warm = false;
  return async () => {
    if (!warm) for (let i = 0; i < warmup; i++) await step();
    warm = true;
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await step();
      ms.push(performance.now() - started);
    }
    return median(ms);
  };
}

function layerStep(layer, x) {
  tf.tidy(() => layer.apply(x)); // builds the weights
  const weights = layer.trainableWeights.map((w) => w.read());
  return () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x)), weights);
      value.dataSync();
      for (const g of Object.values(grads)) g.dataSync();
    });
}

await initBackend({ backend: 'wasm', log: null });
const x = tf.randomNormal([64, 100, 32], 0, 1, 'float32', 7);
const ids = (rows, cols, seed) => tf.randomUniform([rows, cols], 3, 10_000, 'int32', seed);
const [src, tgtIn, tgtOut] = [ids(64, 100, 1), ids(64, 20, 2), ids(64, 20, 3)];

const cases = {};
for (const gate of ['sigmoid', 'hardSigmoid']) {
  const lstm = new FusedLstm({ units: 32, recurrentActivation: gate });
  cases[`LSTM layer, ${gate}`] = timer(layerStep(lstm, x), 3, 8);
  for (const resetAfter of [true, false]) {
    const gru = new FusedGru({ units: 32, recurrentActivation: gate, resetAfter });
    cases[`GRU layer, ${gate}, resetAfter ${resetAfter}`] = timer(layerStep(gru, x), 3, 8);
  }
  const config = kerasExampleConfig({ seed: 1 });
  config.encoder.recurrentActivation = gate;
  config.decoder.recurrentActivation = gate;
  const seq2seq = createSeq2Seq(config);
  const fit = () => seq2seq.fit([src, tgtIn], tgtOut, { batchSize: 64, epochs: 1, verbose: false });
  cases[`Keras example training step, ${gate}`] = timer(fit, 3, 6);
}
// Rounds interleave the cases, so that a busy moment of the machine does not land on one case.
const best = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, time] of Object.entries(cases)) {
    best[name] = Math.min(best[name] ?? Infinity, await time());
  }
}
for (const [name, ms] of Object.entries(best)) {
  console.log(`${name}: ${ms.toFixed(2)} ms (best of ${ROUNDS} medians)`);
}
