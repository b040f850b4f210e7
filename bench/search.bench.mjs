// Search throughput on the wasm backend, with a decoder step of the Keras example's size built here from plain
// TF.js ops and random weights: Embedding(10000, 32) -> LSTM cell 32 -> Dense(10000) log-softmax,
// state {h, c}. The end token's bias is -20, so every sequence runs the full 20 steps.
//
// 1. beamSearch, beam 5, batch 32, maxLength 20: all 160 hypotheses in one step call per step.
// 2. the same 32 inputs, one beamSearch call per input (5 hypotheses per step call).
// 3. a reference beam search written inline below that calls the step for ONE hypothesis at a
//    time (the way a per-hypothesis decoder works), on 8 inputs.
// 4. greedySearch, batch 32, maxLength 20.
// Prints sequences/s (one returned sequence per input) and the ratios against 1.
import { beamSearch, greedySearch } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

await tf.setBackend('wasm');
console.log(`backend: ${tf.getBackend()}`);

const [vocabSize, embeddingDim, units] = [10000, 32, 32];
const [batchSize, beamWidth, maxLength] = [32, 5, 20];
const [startId, endId] = [1, 0];

const weights = {
  embedding: tf.randomNormal([vocabSize, embeddingDim], 0, 0.1, 'float32', 1),
  kernel: tf.randomNormal([embeddingDim, 4 * units], 0, 0.2, 'float32', 2),
  recurrent: tf.randomNormal([units, 4 * units], 0, 0.2, 'float32', 3),
  bias: tf.zeros([4 * units]),
  dense: tf.randomNormal([units, vocabSize], 0, 0.5, 'float32', 4),
  denseBias: tf.tidy(() => tf.oneHot([endId], vocabSize).reshape([vocabSize]).mul(-20)),
};

/** One LSTM step (Hochreiter & Schmidhuber 1997; gate order i, f, g, o as in Keras). */
function step(tokens, { h, c }) {
  const x = tf.gather(weights.embedding, tokens); // [rows, embeddingDim]
  const z = tf.add(
    tf.add(tf.matMul(x, weights.kernel), tf.matMul(h, weights.recurrent)),
    weights.bias,
  );
  const [i, f, g, o] = tf.split(z, 4, 1); // 4 x [rows, units]
  const c2 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
  const h2 = tf.mul(tf.sigmoid(o), tf.tanh(c2));
  const logits = tf.add(tf.matMul(h2, weights.dense), weights.denseBias); // [rows, vocabSize]
  return { logProbs: tf.logSoftmax(logits), state: { h: h2, c: c2 } };
}

const state = {
  h: tf.randomNormal([batchSize, units], 0, 1, 'float32', 5),
  c: tf.randomNormal([batchSize, units], 0, 1, 'float32', 6),
};
const rowState = (b) => ({
  h: state.h.slice([b, 0], [1, units]),
  c: state.c.slice([b, 0], [1, units]),
});
const options = { startId, endId, maxLength, beamWidth };

/** Beam search calling `step` once per hypothesis, keeping each beam's state apart. */
function perHypothesisBeam(initial) {
  let beams = [{ tokens: [], logProb: 0, state: initial, own: false }];
  for (let t = 0; t < maxLength; t++) {
    const candidates = [];
    const nexts = beams.map((beam) => {
      const out = tf.tidy(() =>
        step(tf.tensor1d([beam.tokens.at(-1) ?? startId], 'int32'), beam.state),
      );
      const logProbs = out.logProbs.dataSync();
      out.logProbs.dispose();
      // The beamWidth best tokens of this beam (a linear scan; end never wins here).
      const best = [];
      for (let v = 0; v < vocabSize; v++) {
        if (best.length < beamWidth || logProbs[v] > best.at(-1).lp) {
          best.push({ v, lp: logProbs[v] });
          best.sort((a, b) => b.lp - a.lp);
          if (best.length > beamWidth) best.pop();
        }
      }
      for (const { v, lp } of best) candidates.push({ beam, v, score: beam.logProb + lp, out });
      return out.state;
    });
    candidates.sort((a, b) => b.score - a.score);
    const chosen = candidates.slice(0, beamWidth);
    const keep = new Set(chosen.map((c) => c.out.state));
    for (const next of nexts) if (!keep.has(next)) tf.dispose([next.h, next.c]);
    for (const beam of beams) if (beam.own) tf.dispose([beam.state.h, beam.state.c]);
    // Children of one parent share its next state: copy so each beam owns its tensors.
    beams = chosen.map((c) => ({
      tokens: [...c.beam.tokens, c.v],
      logProb: c.score,
      state: { h: c.out.state.h.clone(), c: c.out.state.c.clone() },
      own: true,
    }));
    for (const next of keep) tf.dispose([next.h, next.c]);
  }
  for (const beam of beams) tf.dispose([beam.state.h, beam.state.c]);
  return beams[0];
}

/** Median seconds of `fn` over `runs` after `warmup` calls. */
function time(fn, runs = 3, warmup = 1) {
  for (let i = 0; i < warmup; i++) fn();
  const seconds = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const before = tf.memory().numTensors;
const batched = batchSize / time(() => beamSearch(step, state, options));
console.log(
  `1. beam ${beamWidth}, batch ${batchSize}, length ${maxLength}: ${batched.toFixed(1)} seq/s`,
);

const rows = Array.from({ length: batchSize }, (_, b) => rowState(b));
const perRow = batchSize / time(() => rows.map((s) => beamSearch(step, s, options)));
console.log(`2. one input per beamSearch call: ${perRow.toFixed(1)} seq/s`);

const few = rows.slice(0, 8);
const perHypothesis = few.length / time(() => few.map((s) => perHypothesisBeam(s)), 1, 1);
console.log(
  `3. one hypothesis per step call (reference, 8 inputs): ${perHypothesis.toFixed(1)} seq/s`,
);

// The reference finds the same best sequences as beamSearch (end never wins, no ties).
const first8 = { h: state.h.slice(0, 8), c: state.c.slice(0, 8) };
const mine = beamSearch(step, first8, options);
const same = few.every((s, b) => perHypothesisBeam(s).tokens.join() === mine[b][0].tokens.join());
tf.dispose([first8.h, first8.c]);
console.log(`   same best sequences as beamSearch: ${same}`);

const greedy = batchSize / time(() => greedySearch(step, state, { startId, endId, maxLength }));
console.log(`4. greedy, batch ${batchSize}, length ${maxLength}: ${greedy.toFixed(1)} seq/s`);

console.log(`ratio batched beam / one input per call: ${(batched / perRow).toFixed(1)}x`);
console.log(
  `ratio batched beam / one hypothesis per call: ${(batched / perHypothesis).toFixed(1)}x`,
);
console.log(`ratio greedy / batched beam: ${(greedy / batched).toFixed(1)}x`);
tf.dispose(rows.flatMap((s) => [s.h, s.c]));
console.log(`tensors leaked by the searches: ${tf.memory().numTensors - before}`);
