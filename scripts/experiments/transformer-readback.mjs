#!/usr/bin/env node
/**
 * Notebook 07's comparison (issue 16): the Transformer against the LSTM with attention on notebook
 * 05's read-back task (a window of a review's word ids in, the same ids out) at one source length,
 * trained with one configuration given as JSON on the command line; greedy scores on held-out
 * windows of the test reviews after every epoch (and every `evalEverySteps` updates).
 *
 *   npx tsc -b
 *   ENCDEC_DATA_DIR=/work/shared/data/imdb nice -n 10 node scripts/experiments/transformer-readback.mjs \
 *     '{"name":"t-warmup","model":"transformer","srcLen":30,"warmupSteps":100,"factor":0.5}'
 *
 * Every key and its default is in DEFAULTS (notebook 05's recipe for the data; the notebook's
 * Transformer sizes). One JSON line per run is appended to results/transformer.jsonl. Times are
 * CPU seconds of this process (the wasm backend runs on one thread), since wall times on a
 * shared machine are inflated.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  corpusBleu,
  createSeq2Seq,
  exactMatch,
  greedySearch,
  initBackend,
  kerasExampleConfig,
  loadImdb,
  padSequencesFlat,
  sequenceWindows,
  shiftRight,
  tokenAccuracy,
  Vocabulary,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const DEFAULTS = {
  name: 'run',
  model: 'transformer', // or 'lstm': the Keras example's cells with 'general' attention (notebook 05)
  srcLen: 12,
  numWords: 2_000,
  trainReviews: 25_000,
  windowsPerReview: 2,
  trainPairs: 0, // cap on training windows (0: no cap)
  heldOutPairs: 500,
  batchSize: 128,
  epochs: 2,
  optimizer: 'adam', // the LSTM: 'rmsprop' (notebook 05)
  learningRate: 0.001, // constant schedule; with warmupSteps > 0 the warm-up schedule sets the rate
  warmupSteps: 0,
  factor: 1,
  beta2: 0.98,
  labelSmoothing: 0,
  dModel: 64,
  numHeads: 4,
  numLayers: 2,
  ffDim: 128,
  dropout: 0.1,
  norm: 'pre',
  evalEverySteps: 0, // > 0: also score greedily every this many updates
  seed: 1,
};

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const here = dirname(fileURLToPath(import.meta.url));
const cfg = { ...DEFAULTS, ...JSON.parse(process.argv[2] ?? '{}') };
for (const key of Object.keys(cfg)) if (!(key in DEFAULTS)) throw new Error(`unknown key ${key}`);
await initBackend();
console.log(JSON.stringify(cfg));
const START_ID = Vocabulary.START_ID;
const END_ID = Vocabulary.UNUSED_ID; // never a target: greedy writes srcLen words

// 1. Data as notebook 05: windows of the training reviews; held-out windows of the test reviews.
const imdb = await loadImdb({ numWords: cfg.numWords });
const inVocab = (row) => Array.from(row, (id) => (id < cfg.numWords ? id : Vocabulary.UNK_ID));
const windows = (reviews, perSequence, limit) =>
  sequenceWindows(reviews, {
    length: cfg.srcLen,
    perSequence,
    offset: 1,
    seed: 1,
    ...(limit ? { limit } : {}),
  }).map(inVocab);
const asTensor = (rows) =>
  tf.tensor2d(
    padSequencesFlat(rows, { maxlen: cfg.srcLen }).values,
    [rows.length, cfg.srcLen],
    'int32',
  );
const trainRows = windows(
  imdb.train.x.slice(0, cfg.trainReviews),
  cfg.windowsPerReview,
  cfg.trainPairs,
);
const train = {
  src: asTensor(trainRows),
  tgtIn: asTensor(shiftRight(trainRows, START_ID)),
  tgtOut: asTensor(trainRows),
};
const heldRows = windows(imdb.test.x, 1, cfg.heldOutPairs);
const held = asTensor(heldRows);

// 2. The model.
function config() {
  if (cfg.model === 'lstm') {
    const c = kerasExampleConfig({
      seed: cfg.seed,
      vocabSize: cfg.numWords,
      learningRate: cfg.learningRate,
    });
    return { ...c, decoder: { ...c.decoder, attention: 'general' }, optimizer: cfg.optimizer };
  }
  const sizes = {
    kind: 'transformer',
    vocabSize: cfg.numWords,
    dModel: cfg.dModel,
    numHeads: cfg.numHeads,
    numLayers: cfg.numLayers,
    ffDim: cfg.ffDim,
    dropout: cfg.dropout,
    norm: cfg.norm,
    maxLength: cfg.srcLen + 1,
    seed: cfg.seed,
  };
  return {
    encoder: sizes,
    decoder: sizes,
    optimizer: 'adam',
    adam: { beta2: cfg.beta2 },
    labelSmoothing: cfg.labelSmoothing,
    learningRate: cfg.learningRate,
    ...(cfg.warmupSteps > 0
      ? {
          learningRateSchedule: {
            kind: 'warmup',
            warmupSteps: cfg.warmupSteps,
            dModel: cfg.dModel,
            factor: cfg.factor,
          },
        }
      : {}),
  };
}
const model = createSeq2Seq(config());

function score() {
  const state = model.initialState(held);
  const generated = greedySearch(model.decodeStep, state, {
    startId: START_ID,
    endId: END_ID,
    maxLength: cfg.srcLen,
  }).map((h) => h.tokens);
  tf.dispose(state);
  return {
    tokenAccuracy: +tokenAccuracy(generated, heldRows).toFixed(4),
    exactMatch: +exactMatch(generated, heldRows).toFixed(4),
    bleu: +corpusBleu(
      generated,
      heldRows.map((r) => [r]),
    ).bleu.toFixed(4),
  };
}

// 3. Train; scoring is outside the timed part.
const curve = [];
let step = 0;
let cpuTotal = 0;
let cpu0 = cpuSeconds();
const pause = () => {
  cpuTotal += cpuSeconds() - cpu0;
};
const resume = () => {
  cpu0 = cpuSeconds();
};
const record = (point) => {
  console.log(JSON.stringify(point));
  curve.push(point);
};
await model.fit([train.src, train.tgtIn], train.tgtOut, {
  batchSize: cfg.batchSize,
  epochs: cfg.epochs,
  seed: cfg.seed,
  verbose: false,
  callbacks: {
    onBatchEnd: (_batch, logs) => {
      step += 1;
      if (cfg.evalEverySteps > 0 && step % cfg.evalEverySteps === 0) {
        pause();
        record({ step, cpuSeconds: +cpuTotal.toFixed(1), loss: +logs.loss.toFixed(4), ...score() });
        resume();
      }
    },
    onEpochEnd: (epoch, logs) => {
      pause();
      record({
        epoch: epoch + 1,
        step,
        cpuSeconds: +cpuTotal.toFixed(1),
        loss: +logs.loss.toFixed(4),
        ...score(),
      });
      resume();
    },
  },
});
const line = { config: cfg, trainingWindows: trainRows.length, params: model.countParams(), curve };
mkdirSync(join(here, 'results'), { recursive: true });
appendFileSync(join(here, 'results', 'transformer.jsonl'), `${JSON.stringify(line)}\n`);
tf.dispose([train.src, train.tgtIn, train.tgtOut, held]);
model.dispose();
