// Training and cached greedy decoding of a small Transformer encoder-decoder on the wasm backend,
// against PyTorch's nn.Transformer with the same sizes (bench/pytorch_transformer.py, served by
// `pytorch_reference.py transformer`), measured interleaved in one run: each repetition times one
// of our training steps, then one of PyTorch's, then one greedy decode each, so that both sides
// see the same load on a shared machine. Prints medians and their ratios (ours / PyTorch).
//
//   npx tsc -b && node bench/transformer.bench.mjs        (or npm run bench -- transformer)
//   node bench/transformer.bench.mjs --profile            per-kernel time of a training step and a
//                                                         decode step (tf.profile), no PyTorch
//
// Sizes: dModel 64, 4 heads, 2 + 2 layers, ffDim 256, vocabulary 10,000, batch 64, 100 source /
// 20 target tokens, pre-norm, sinusoidal positions, dropout 0 on both sides (the same arithmetic).
// Training: one `seq2seq.fit` step on a fixed batch (Adam, lr 0.001), in steps/s. Decoding:
// `greedySearch` over `seq2seq.decodeStep` (the key/value cache), 64 rows x 20 steps, in tokens/s;
// the end token's output bias is lowered by 30 so that every row runs all 20 steps, as in
// train-decode.bench.mjs. PyTorch decodes both with a key/value cache written over the same
// decoder layers' weights and uncached (nn.TransformerDecoder over the whole prefix each step).
// The cpu backend is left out: one training step there takes tens of seconds.
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSeq2Seq, greedySearch, initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const BATCH = 64;
const [SRC_LEN, TGT_LEN, MAX_LENGTH] = [100, 20, 20];
const [START_ID, END_ID] = [1, 2];
const REPETITIONS = 5;
const here = dirname(fileURLToPath(import.meta.url));
const profiling = process.argv.includes('--profile');

const sizes = {
  kind: 'transformer',
  vocabSize: 10_000,
  dModel: 64,
  numHeads: 4,
  numLayers: 2,
  ffDim: 256,
  dropout: 0,
};
const ids = (rows, cols, seed) => tf.randomUniform([rows, cols], 3, 10_000, 'int32', seed);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(2));

/** Our model and its two measurements, each returning a rate (per second) of one call. */
function ours() {
  const seq2seq = createSeq2Seq({
    encoder: { ...sizes, seed: 1 },
    decoder: { ...sizes, seed: 2 },
    optimizer: 'adam',
    learningRate: 0.001,
  });
  const output = seq2seq.model.getLayer('decoder_output');
  const [kernel, bias] = output.getWeights();
  const lowered = tf.tidy(() =>
    bias.sub(tf.oneHot([END_ID], bias.shape[0]).reshape(bias.shape).mul(30)),
  );
  output.setWeights([kernel, lowered]);
  lowered.dispose();
  const src = ids(BATCH, SRC_LEN, 1);
  const tgtIn = ids(BATCH, TGT_LEN, 2);
  const tgtOut = ids(BATCH, TGT_LEN, 3);
  const timed = async (fn, items) => {
    const started = performance.now();
    await fn();
    return items / ((performance.now() - started) / 1000);
  };
  const trainStep = () =>
    seq2seq.fit([src, tgtIn], tgtOut, { batchSize: BATCH, epochs: 1, verbose: false });
  const decode = () => {
    const state = seq2seq.initialState(src);
    const out = greedySearch(seq2seq.decodeStep, state, {
      startId: START_ID,
      endId: END_ID,
      maxLength: MAX_LENGTH,
    });
    tf.dispose(state);
    if (out[0].tokens.length !== MAX_LENGTH) throw new Error(`decoded ${out[0].tokens.length}`);
  };
  return {
    seq2seq,
    src,
    train: () => timed(trainStep, 1),
    decode: () => timed(decode, BATCH * MAX_LENGTH),
    dispose: () => {
      seq2seq.dispose();
      tf.dispose([src, tgtIn, tgtOut]);
    },
  };
}

/** The PyTorch reference as a server: `ask('train')` resolves to its rate of one call. */
function pytorch() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const child = spawn('/usr/bin/python3', [join(here, 'pytorch_reference.py'), 'transformer'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (request) => {
    child.stdin.write(`${request}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error(`PyTorch reference exited on '${request}'`);
    return JSON.parse(value);
  };
  return { ask, close: () => child.stdin.end(`quit\n`) };
}

/** Milliseconds of `fn`'s kernels summed per name, then per name and input shapes, largest first. */
async function kernelTimes(label, fn, top = Number(process.env.TOP ?? 10)) {
  const profile = await tf.profile(fn);
  const total = profile.kernels.reduce((s, k) => s + k.kernelTimeMs, 0);
  console.log(`\n${label}: ${profile.kernels.length} kernels, ${total.toFixed(1)} ms in kernels`);
  for (const key of [(k) => k.name, (k) => `${k.name} ${JSON.stringify(k.inputShapes)}`]) {
    const groups = new Map();
    for (const k of profile.kernels) {
      const entry = groups.get(key(k)) ?? { ms: 0, calls: 0 };
      entry.ms += k.kernelTimeMs;
      entry.calls += 1;
      groups.set(key(k), entry);
    }
    console.log('| kernel | calls | ms | share |\n|---|---|---|---|');
    for (const [name, e] of [...groups].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
      const share = ((100 * e.ms) / total).toFixed(0);
      console.log(`| ${name} | ${e.calls} | ${e.ms.toFixed(1)} | ${share}% |`);
    }
  }
}

await initBackend({ backend: 'wasm', log: null });
const model = ours();
if (profiling) {
  for (let i = 0; i < 2; i++) await model.train();
  const started = performance.now();
  await kernelTimes('training step (fit, one batch)', () => model.train());
  console.log(`(wall ${(performance.now() - started).toFixed(0)} ms with profiling)`);
  await kernelTimes('greedy decode (encoder, initState, 20 cached steps of 64 rows)', () =>
    model.decode(),
  );
  await kernelTimes('of which encoder + initState', () =>
    tf.dispose(model.seq2seq.initialState(model.src)),
  );
  model.dispose();
  process.exit(0);
}

const reference = pytorch();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(`load average at start: ${load()}`);
// Warm-up: V8's JIT and XNNPACK's packing on our side; PyTorch's first decode checks that its
// cached and uncached decoding agree.
for (let i = 0; i < 2; i++) await model.train();
await model.decode();
const info = reference && (await reference.ask('info'));
if (reference) {
  for (const request of ['train', 'cached', 'uncached']) await reference.ask(request);
}
const rates = {
  train: [],
  decode: [],
  torchTrain: [],
  torchCached: [],
  torchUncached: [],
  torchTrain1: [],
  torchCached1: [],
};
for (let rep = 0; rep < REPETITIONS; rep++) {
  rates.train.push(await model.train());
  if (reference) rates.torchTrain.push((await reference.ask('train')).rate);
  rates.decode.push(await model.decode());
  if (reference) {
    rates.torchCached.push((await reference.ask('cached')).rate);
    rates.torchUncached.push((await reference.ask('uncached')).rate);
    // One thread too: with other processes on the cores, two threads wait for each other at every
    // operation (bench/PERFORMANCE.md), which one thread does not.
    await reference.ask('threads 1');
    rates.torchTrain1.push((await reference.ask('train')).rate);
    rates.torchCached1.push((await reference.ask('cached')).rate);
    await reference.ask(`threads ${info.threads}`);
  }
}
reference?.close();
model.dispose();
const m = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
console.log(`load average at end: ${load()}`);
console.log(
  reference
    ? `PyTorch ${info.torch}, ${info.threads} threads; medians of ${REPETITIONS} interleaved repetitions`
    : 'PyTorch reference: skipped (/usr/bin/python3 cannot import torch)',
);
console.log('\n| | training steps/s (batch 64) | greedy decoding tokens/s (64 x 20) |');
console.log('|---|---|---|');
console.log(`| wasm, cached decodeStep | ${fmt(m.train)} | ${fmt(m.decode)} |`);
if (reference) {
  console.log(`| PyTorch, cached | ${fmt(m.torchTrain)} | ${fmt(m.torchCached)} |`);
  console.log(`| PyTorch, uncached nn.TransformerDecoder | | ${fmt(m.torchUncached)} |`);
  console.log(`| PyTorch, 1 thread, cached | ${fmt(m.torchTrain1)} | ${fmt(m.torchCached1)} |`);
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log(
    `\nRatios (ours / PyTorch; goal >= 1.0): training ${ratio(m.train, m.torchTrain)}, ` +
      `greedy decoding ${ratio(m.decode, m.torchCached)} against PyTorch cached, ` +
      `${ratio(m.decode, m.torchUncached)} against uncached; against PyTorch on 1 thread: ` +
      `training ${ratio(m.train, m.torchTrain1)}, decoding ${ratio(m.decode, m.torchCached1)}`,
  );
  console.log(
    `every repetition's ratio: training ${rates.train.map((r, i) => ratio(r, rates.torchTrain[i])).join(' ')}; ` +
      `decoding (cached) ${rates.decode.map((r, i) => ratio(r, rates.torchCached[i])).join(' ')}`,
  );
}
