// Training and decoding throughput of the Keras example and its attention variant, on every TF.js
// backend that loads here, side by side with a PyTorch reference of the same models
// (bench/pytorch_reference.py, run when `/usr/bin/python3 -c "import torch"` works), and the
// fused LSTM layer against the stock tf.layers.lstm in the same process.
//
//   npx tsc -b && node bench/train-decode.bench.mjs     (or npm run bench -- train-decode)
//
// Sizes (bench/PERFORMANCE.md): vocabulary 10,000, Embedding 32, LSTM 32, batch 64, 20 target
// tokens, 100 source tokens (and 500, the Keras example's maxlen). The attention model adds dot attention
// (Luong et al. 2015). Training: `seq2seq.fit` (logits + masked cross-entropy, RMSprop).
// Decoding: 64 rows x 20 steps, greedy and beam (beamWidth 5) through `seq2seq.decodeStep`; the
// end token's output bias is lowered so that every sequence runs all 20 steps, as the
// reference's do. On one thread, and split across the cores by a `DecodePool` (PyTorch uses
// two threads too). The reference runs the same beam search too: the goal compares beam search
// with PyTorch's greedy decoding, and the ratio to PyTorch's own beam search is printed beside it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  beamSearch,
  createDecodePool,
  createSeq2Seq,
  FusedGru,
  FusedLstm,
  greedySearch,
  initBackend,
  kerasExampleConfig,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const BATCH = 64;
const TGT_LEN = 20;
const MAX_LENGTH = 20;
const [START_ID, END_ID] = [1, 2];
const here = dirname(fileURLToPath(import.meta.url));

let peakRss = process.memoryUsage().rss;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

const ids = (rows, cols, seed) => tf.randomUniform([rows, cols], 3, 10_000, 'int32', seed);

/**
 * Samples (or sequences) per second of `run`, which handles `items` of them per call: the best of
 * `rounds` rounds of `runs` calls after `warmup` calls (runs vary ~15% on this machine; the
 * PyTorch reference measures the same way).
 */
async function rate(run, items, warmup, runs, rounds) {
  for (let i = 0; i < warmup; i++) await run();
  sampleRss();
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < runs; i++) await run();
    best = Math.max(best, (runs * items) / ((performance.now() - started) / 1000));
  }
  sampleRss();
  return best;
}

function buildModel(attention) {
  const config = kerasExampleConfig({ seed: 1 });
  if (attention) config.decoder.attention = 'dot';
  const seq2seq = createSeq2Seq(config);
  // No sequence ends early: the end token's logit is lowered by 30.
  const output = seq2seq.model.getLayer('decoder_output');
  const [kernel, bias] = output.getWeights();
  const lowered = tf.tidy(() =>
    bias.sub(tf.oneHot([END_ID], bias.shape[0]).reshape(bias.shape).mul(30)),
  );
  output.setWeights([kernel, lowered]);
  lowered.dispose();
  return seq2seq;
}

async function trainRate(seq2seq, srcLen, { warmup, runs, rounds }) {
  const src = ids(BATCH, srcLen, 1);
  const tgtIn = ids(BATCH, TGT_LEN, 2);
  const tgtOut = ids(BATCH, TGT_LEN, 3);
  const fitOnce = () =>
    seq2seq.fit([src, tgtIn], tgtOut, { batchSize: BATCH, epochs: 1, verbose: false });
  const result = await rate(fitOnce, BATCH, warmup, runs, rounds);
  tf.dispose([src, tgtIn, tgtOut]);
  return result;
}

async function decodeRate(seq2seq, search, { warmup, runs, rounds }, pool) {
  const src = ids(BATCH, 100, 4);
  const options = { startId: START_ID, endId: END_ID, maxLength: MAX_LENGTH };
  const onPool = async () => {
    const out =
      search === 'greedy'
        ? await pool.greedy(src, options)
        : await pool.beam(src, { ...options, beamWidth: 5 });
    const first = search === 'greedy' ? out[0] : out[0][0];
    if (first.tokens.length !== MAX_LENGTH)
      throw new Error(`decoded ${first.tokens.length} tokens`);
  };
  const decode = () => {
    const state = seq2seq.initialState(src);
    const options = { startId: START_ID, endId: END_ID, maxLength: MAX_LENGTH };
    const out =
      search === 'greedy'
        ? greedySearch(seq2seq.decodeStep, state, options)
        : beamSearch(seq2seq.decodeStep, state, { ...options, beamWidth: 5 });
    tf.dispose(state);
    const first = search === 'greedy' ? out[0] : out[0][0];
    if (first.tokens.length !== MAX_LENGTH)
      throw new Error(`decoded ${first.tokens.length} tokens`);
  };
  const result = await rate(pool ? onPool : decode, BATCH, warmup, runs, rounds);
  src.dispose();
  return result;
}

/** Forward + backward of one LSTM or GRU layer over [64, 100, 32], fused vs stock, same weights. */
function layerRates(cell) {
  const x = tf.randomNormal([BATCH, 100, 32], 0, 1, 'float32', 7);
  const layers =
    cell === 'LSTM'
      ? [
          tf.layers.lstm({ units: 32 }),
          new FusedLstm({ units: 32, recurrentActivation: 'hardSigmoid' }),
        ]
      : [
          tf.layers.gru({ units: 32 }),
          new FusedGru({ units: 32, recurrentActivation: 'hardSigmoid', resetAfter: false }),
        ]; // TF.js's cells (hardSigmoid, reset-before GRU): the same computation as the stock layers
  const grads = layers.map((layer) => {
    tf.tidy(() => layer.apply(x));
    const vars = layer.trainableWeights.map((w) => w.read());
    return () => tf.tidy(() => tf.variableGrads(() => tf.sum(layer.apply(x)), vars).value);
  });
  layers[1].setWeights(layers[0].getWeights());
  const perSecond = grads.map((g) => {
    for (let i = 0; i < 2; i++) g();
    const started = performance.now();
    for (let i = 0; i < 3; i++) g();
    return (3 * BATCH) / ((performance.now() - started) / 1000);
  });
  for (const l of layers) l.dispose();
  x.dispose();
  return { stock: perSecond[0], fused: perSecond[1] };
}

function pytorchReference() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const run = spawnSync('/usr/bin/python3', [join(here, 'pytorch_reference.py')], {
    encoding: 'utf8',
    maxBuffer: 2 ** 20,
  });
  if (run.status !== 0) {
    console.log(`PyTorch reference failed: ${run.stderr.trim().split('\n').at(-1)}`);
    return null;
  }
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

const fmt = (x) => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const rows = [];
// Calls per measurement: wasm takes ~0.2-0.5 s a call, cpu ~7 s (one round, no warm-up).
const plans = {
  wasm: { warmup: 3, runs: 4, rounds: 5 },
  cpu: { warmup: 0, runs: 1, rounds: 1 },
};
const slowPlan = { warmup: 1, runs: 2, rounds: 3 }; // wasm at 500 tokens, beam search
for (const backend of ['wasm', 'cpu']) {
  const choice = await initBackend({ backend, log: null });
  if (choice.backend !== backend) continue;
  const plan = plans[backend];
  for (const cell of ['LSTM', 'GRU']) {
    const layer = layerRates(cell);
    console.log(
      `${backend}: one ${cell} layer, forward + backward over [64, 100, 32]: fused ${fmt(layer.fused)} samples/s, stock ${fmt(layer.stock)} samples/s, ${(layer.fused / layer.stock).toFixed(1)}x`,
    );
  }
  for (const attention of [false, true]) {
    const seq2seq = buildModel(attention);
    const row = { backend, model: attention ? 'attention (dot)' : 'Keras example' };
    row.train100 = await trainRate(seq2seq, 100, plan);
    if (backend === 'wasm') row.train500 = await trainRate(seq2seq, 500, slowPlan);
    row.greedy = await decodeRate(seq2seq, 'greedy', plan);
    if (backend === 'wasm') row.beam = await decodeRate(seq2seq, 'beam', slowPlan);
    // The same searches split across the cores by a DecodePool (one thread per core).
    const pool = await createDecodePool(seq2seq, backend === 'wasm' ? {} : { workers: 0 });
    const pooled = { backend: `${backend}, DecodePool ${pool.threads} threads`, model: row.model };
    if (pool.threads > 1) {
      pooled.greedy = await decodeRate(seq2seq, 'greedy', plan, pool);
      pooled.beam = await decodeRate(seq2seq, 'beam', slowPlan, pool);
    }
    await pool.close();
    seq2seq.dispose();
    rows.push(row);
    if (pooled.greedy !== undefined) rows.push(pooled);
    console.log(
      `${backend} ${row.model}: train ${fmt(row.train100)} samples/s (100 tokens), ${fmt(row.train500)} (500 tokens); greedy ${fmt(row.greedy)} seq/s, beam 5 ${fmt(row.beam)} seq/s` +
        (pooled.greedy === undefined
          ? ''
          : `; ${pool.threads} threads: greedy ${fmt(pooled.greedy)}, beam 5 ${fmt(pooled.beam)}`),
    );
  }
}
console.log(`peak RSS of this process (all backends): ${(peakRss / 2 ** 20).toFixed(0)} MiB`);

const torch = pytorchReference();
if (torch) {
  console.log(
    `PyTorch ${torch.torch}, ${torch.threads} threads: peak RSS ${torch.peakRssMiB.toFixed(0)} MiB`,
  );
  for (const [key, model] of [
    ['kerasExample', 'Keras example'],
    ['attention', 'attention (dot)'],
  ]) {
    const t = torch[key];
    rows.push({
      backend: 'pytorch',
      model,
      train100: t.train100,
      train500: t.train500,
      greedy: t.greedy,
      beam: t.beam,
    });
  }
} else {
  console.log('PyTorch reference: skipped (/usr/bin/python3 cannot import torch)');
}

console.log(
  '\n| backend | model | train samples/s, 100 tokens | 500 tokens | greedy seq/s | beam 5 seq/s |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.model} | ${fmt(r.train100)} | ${fmt(r.train500)} | ${fmt(r.greedy)} | ${fmt(r.beam)} |`,
  );
}
if (torch) {
  console.log(
    '\nRatios against PyTorch (goal: train >= 0.5, greedy and beam decoding >= 1.0 of PyTorch greedy; in brackets, beam against PyTorch beam):',
  );
  for (const r of rows.filter((x) => x.backend.startsWith('wasm'))) {
    const t = rows.find((x) => x.backend === 'pytorch' && x.model === r.model);
    const ratio = (a, b) => (a === undefined ? '-' : (a / b).toFixed(2));
    console.log(
      `${r.backend} ${r.model}: train ${ratio(r.train100, t.train100)} (100 tokens), ${ratio(r.train500, t.train500)} (500 tokens); greedy ${ratio(r.greedy, t.greedy)}, beam ${ratio(r.beam, t.greedy)} (${ratio(r.beam, t.beam)})`,
    );
  }
}
