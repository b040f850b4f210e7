#!/usr/bin/env node
/**
 * Training-recipe experiments for the IMDB walkthrough (notebook 05, issue 17): the read-back task
 * (a window of a review's word ids in, the same ids out), trained with one configuration given as
 * JSON on the command line, evaluated on held-out windows of the test reviews after every epoch.
 *
 *   npx tsc -b
 *   ENCDEC_DATA_DIR=/work/shared/data/imdb nice -n 10 node scripts/experiments/walkthrough-recipe.mjs \
 *     '{"name":"adam-64","units":64,"optimizer":"adam","learningRate":0.005,"windowsPerReview":4}'
 *
 * Every configuration key and its default is in DEFAULTS below (the defaults are notebook 05's
 * settings). One JSON line per run is appended to scripts/experiments/results/<results>.jsonl.
 * Wall times on a shared machine are inflated, so times are CPU seconds of this process (the
 * backend runs on one thread); wall seconds are recorded too. Each run also times `refBatches`
 * batches of notebook 05's default model (Keras example + 'general' attention, batch 64, 10,000
 * words) before and after training: `loadFactor` = its pairs per CPU second over the solo figure
 * REF_SOLO_PAIRS_PER_S (wall time of the notebook's last render), and `soloSeconds` = CPU
 * seconds * loadFactor estimates the wall time of a run on an unloaded machine like that one.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  corpusBleu,
  createSeq2Seq,
  earlyStopping,
  exactMatch,
  getLearningRate,
  greedySearch,
  initBackend,
  loadImdb,
  padSequencesFlat,
  reduceLrOnPlateau,
  scoresByLength,
  seedModelConfig,
  sequenceWindows,
  setLearningRate,
  shiftRight,
  tokenAccuracy,
  Vocabulary,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

/** Notebook 05's last full render: attention model, 48,000 pairs in 121 s on wasm, unloaded. */
const REF_SOLO_PAIRS_PER_S = 397;

const DEFAULTS = {
  name: 'notebook-05',
  results: 'recipe',
  numWords: 10_000, // vocabulary of source and target
  tgtWords: 0, // > 0: a smaller target vocabulary; rarer target words become the unknown id 2
  srcLen: 12, // words per window; [min, max] for mixed lengths (then an end id is appended)
  trainReviews: 20_000, // training reviews windows are taken from (of 25,000)
  windowsPerReview: 1, // consecutive windows taken from each review
  trainPairs: 0, // cap on training windows (0: no cap)
  validationPairs: 1_000, // windows from test reviews 12,500.. for val_loss (never scored)
  heldOutPairs: 1_000, // windows from the first test reviews, scored greedily
  cell: 'lstm',
  embeddingDim: 32,
  units: 32,
  bidirectional: false,
  attention: 'general',
  optimizer: 'rmsprop',
  learningRate: 0.01,
  batchSize: 64,
  epochs: 3,
  clipNorm: 0, // 0: no clipping
  plateauFactor: 0, // > 0: multiply the learning rate by this when val_loss stalls
  plateauPatience: 1, // epochs without a better val_loss before it is multiplied
  decay: 1, // multiply the learning rate by this after every epoch
  earlyStopping: 0, // patience on val_loss (0: off); the best epoch's weights are restored
  budgetSeconds: 0, // stop after the epoch in which training time passes this (0: off)
  pretrainEpochs: 0, // mixed lengths: first train this many epochs on 12-word windows (no end id)
  pretrainWindows: 2, // 12-word windows per review for that
  refBatches: 30, // batches of notebook 05's model timed first (0: skip)
  evalEvery: 1, // greedy evaluation every n epochs (and after the last)
  seed: 1,
};

/** CPU seconds this process has used (user + system): on a shared machine, the time it would take alone. */
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const here = dirname(fileURLToPath(import.meta.url));
const cfg = { ...DEFAULTS, ...JSON.parse(process.argv[2] ?? '{}') };
for (const key of Object.keys(cfg)) if (!(key in DEFAULTS)) throw new Error(`unknown key ${key}`);
await initBackend();
console.log(cfg);

const START_ID = Vocabulary.START_ID;
const END_ID = Vocabulary.UNUSED_ID; // never in a review: the end of a mixed-length target
const mixed = Array.isArray(cfg.srcLen);
const [minLen, maxLen] = mixed ? cfg.srcLen : [cfg.srcLen, cfg.srcLen];
const tgtLen = mixed ? maxLen + 1 : maxLen;

/** Consecutive windows of each review (after its start id), at most `perReview` of each. */
const windows = (reviews, perReview, limit, seed) =>
  sequenceWindows(reviews, {
    length: mixed ? [minLen, maxLen] : maxLen,
    perSequence: perReview,
    offset: 1,
    ...(Number.isFinite(limit) ? { limit } : {}),
    seed,
  });

const tgtWords = cfg.tgtWords || cfg.numWords;
const toTarget = (row) => Array.from(row, (id) => (id < tgtWords ? id : Vocabulary.UNK_ID));

function tensors(src, withEnd = mixed) {
  const tgt = src.map((row) => (withEnd ? [...toTarget(row), END_ID] : toTarget(row)));
  const width = Math.max(...src.map((row) => row.length));
  const asTensor = (rows, width) => {
    const p = padSequencesFlat(rows, { maxlen: width, padding: 'post' });
    return tf.tensor2d(p.values, p.shape, 'int32');
  };
  return {
    src: asTensor(src, width), // [rows, srcLen]
    tgtIn: asTensor(shiftRight(tgt, START_ID), width + (withEnd ? 1 : 0)), // [rows, tgtLen]
    tgtOut: asTensor(tgt, width + (withEnd ? 1 : 0)), // [rows, tgtLen]
    srcRows: src.map((row) => Array.from(row)),
    tgtRows: src.map(toTarget),
  };
}

function modelConfig(c) {
  const seed = seedModelConfig({
    seed: c.seed,
    vocabSize: c.numWords,
    learningRate: c.learningRate,
  });
  const side = { embeddingDim: c.embeddingDim, cell: c.cell };
  return {
    encoder: {
      ...seed.encoder,
      ...side,
      units: c.units,
      bidirectional: c.bidirectional,
      maskZero: mixed,
    },
    decoder: {
      ...seed.decoder,
      ...side,
      vocabSize: c.tgtWords || c.numWords,
      units: c.bidirectional ? 2 * c.units : c.units,
      attention: c.attention,
    },
    optimizer: c.optimizer,
    learningRate: c.learningRate,
  };
}

/** Greedy read-back of the held-out windows: token accuracy, exact match, BLEU-4, per length. */
function score(model, held) {
  const hyps = [];
  for (let at = 0; at < held.src.shape[0]; at += 500) {
    const src = held.src.slice([at, 0], [Math.min(500, held.src.shape[0] - at), -1]);
    const state = model.initialState(src);
    hyps.push(
      ...greedySearch(model.decodeStep, state, {
        startId: START_ID,
        endId: END_ID,
        maxLength: tgtLen,
      }),
    );
    tf.dispose([src, state]);
  }
  const strip = (row) => row.filter((id) => id !== END_ID);
  const generated = hyps.map((h) => strip(h.tokens));
  const refs = held.tgtRows;
  const result = {
    tokenAccuracy: tokenAccuracy(generated, refs),
    exactMatch: exactMatch(generated, refs),
    bleu: corpusBleu(
      generated,
      refs.map((r) => [r]),
    ).bleu,
  };
  if (mixed) {
    result.byLength = scoresByLength(generated, refs).map((b) => ({
      lengths: `${b.fromLength}-${b.toLength}`,
      n: b.count,
      tokenAccuracy: +b.tokenAccuracy.toFixed(3),
      exactMatch: +b.exactMatch.toFixed(3),
      bleu: +b.bleu.toFixed(3),
    }));
  }
  // Errors by word frequency rank: which words are read back wrong.
  const wrong = { top1k: 0, top5k: 0, rest: 0, oov: 0 };
  const total = { top1k: 0, top5k: 0, rest: 0, oov: 0 };
  refs.forEach((ref, i) => {
    ref.forEach((id, j) => {
      const k = id === 2 ? 'oov' : id < 1000 ? 'top1k' : id < 5000 ? 'top5k' : 'rest';
      total[k] += 1;
      if (generated[i][j] !== id) wrong[k] += 1;
    });
  });
  result.errorRateByRank = Object.fromEntries(
    Object.keys(total).map((k) => [
      k,
      `${(wrong[k] / Math.max(total[k], 1)).toFixed(3)} of ${total[k]}`,
    ]),
  );
  return result;
}

// 1. Data: windows of training reviews; validation and held-out windows from the test reviews.
const imdb = await loadImdb({ numWords: cfg.numWords });
const trainRows = windows(
  imdb.train.x.slice(0, cfg.trainReviews),
  cfg.windowsPerReview,
  cfg.trainPairs || Number.POSITIVE_INFINITY,
  cfg.seed,
);
const train = tensors(trainRows);
const held = tensors(windows(imdb.test.x, 1, cfg.heldOutPairs, cfg.seed + 1));
const val = tensors(windows(imdb.test.x.slice(12_500), 1, cfg.validationPairs, cfg.seed + 2));
console.log(
  `training windows: ${trainRows.length}, held out: ${held.src.shape[0]}, validation: ${val.src.shape[0]}`,
);

// 2. Reference throughput: notebook 05's default attention model, `refBatches` batches, timed
// before and after training (the load of a shared machine changes); their mean gives loadFactor.
async function referencePairsPerS() {
  const ref = createSeq2Seq(modelConfig({ ...DEFAULTS, tgtWords: 0 }));
  const rows = cfg.refBatches * 64;
  const [s, ti, to] = [train.src, train.tgtIn, train.tgtOut].map((t) =>
    t.slice([0, 0], [rows, t.shape[1]]),
  );
  await ref.fit(
    [s.slice([0, 0], [64, -1]), ti.slice([0, 0], [64, -1])],
    to.slice([0, 0], [64, -1]),
    { batchSize: 64, verbose: false },
  ); // warm-up
  const cpu0 = cpuSeconds();
  await ref.fit([s, ti], to, { batchSize: 64, epochs: 1, verbose: false, seed: 1 });
  const pairsPerS = rows / (cpuSeconds() - cpu0);
  tf.dispose([s, ti, to]);
  ref.dispose();
  console.log(`reference: ${pairsPerS.toFixed(0)} pairs per CPU second`);
  return pairsPerS;
}
const useRef = cfg.refBatches > 0 && !mixed;
const refBefore = useRef ? await referencePairsPerS() : REF_SOLO_PAIRS_PER_S;
let loadFactor = refBefore / REF_SOLO_PAIRS_PER_S;

// 3. Train, scoring after epochs (outside the timed part); the learning rate is multiplied by
// `decay` after every epoch and by `plateauFactor` when val_loss stalls (reduceLrOnPlateau).
const model = createSeq2Seq(modelConfig(cfg));
let pretrainCpuSeconds = 0;
if (cfg.pretrainEpochs > 0) {
  // First the fixed-length task (12-word windows, no end id), as the walkthrough's main models.
  const fixed = tensors(
    sequenceWindows(imdb.train.x.slice(0, cfg.trainReviews), {
      length: 12,
      perSequence: cfg.pretrainWindows,
      offset: 1,
    }),
    false,
  );
  const cpu0 = cpuSeconds();
  const h = await model.fit([fixed.src, fixed.tgtIn], fixed.tgtOut, {
    batchSize: cfg.batchSize,
    epochs: cfg.pretrainEpochs,
    seed: cfg.seed,
    verbose: false,
  });
  pretrainCpuSeconds = cpuSeconds() - cpu0;
  console.log(
    `pretrained on ${fixed.src.shape[0]} 12-word windows, ${cfg.pretrainEpochs} epochs, loss ${h.history.loss.at(-1).toFixed(3)}, ${pretrainCpuSeconds.toFixed(1)} CPU s`,
  );
  tf.dispose([fixed.src, fixed.tgtIn, fixed.tgtOut]);
}
const curve = [];
const steps = Math.ceil(train.src.shape[0] / cfg.batchSize);
let trainSeconds = 0;
let epochStarted = 0;
let cpuStarted = 0;
let cpuTotal = 0;
let control;
const recorder = {
  setControl: (c) => {
    control = c;
  },
  onEpochBegin: () => {
    epochStarted = Date.now();
    cpuStarted = cpuSeconds();
  },
  onEpochEnd: (epoch, logs) => {
    const seconds = (Date.now() - epochStarted) / 1000;
    const cpu = cpuSeconds() - cpuStarted;
    trainSeconds += seconds;
    cpuTotal += cpu;
    const point = {
      epoch: epoch + 1,
      learningRate: +getLearningRate(model.optimizer).toPrecision(3),
      seconds: +seconds.toFixed(1),
      cpuSeconds: +cpu.toFixed(1),
      stepsPerCpuS: +(steps / cpu).toFixed(2),
      trainSeconds: +trainSeconds.toFixed(1),
      trainCpuSeconds: +cpuTotal.toFixed(1),
      soloSeconds: +(cpuTotal * loadFactor).toFixed(1),
      loss: +logs.loss.toFixed(4),
      valLoss: +logs.val_loss.toFixed(4),
      valAccuracy: +logs.val_accuracy.toFixed(4),
    };
    if (cfg.budgetSeconds > 0 && cpuTotal * loadFactor >= cfg.budgetSeconds) control.stop();
    if ((epoch + 1) % cfg.evalEvery === 0 || epoch + 1 === cfg.epochs || control.stopRequested) {
      const s = score(model, held);
      Object.assign(point, {
        tokenAccuracy: +s.tokenAccuracy.toFixed(4),
        exactMatch: +s.exactMatch.toFixed(4),
        bleu: +s.bleu.toFixed(4),
        errorRateByRank: s.errorRateByRank,
        ...(s.byLength ? { byLength: s.byLength } : {}),
      });
    }
    console.log(JSON.stringify(point));
    curve.push(point);
    if (cfg.decay !== 1)
      setLearningRate(model.optimizer, getLearningRate(model.optimizer) * cfg.decay);
  },
};
const callbacks = [recorder];
if (cfg.plateauFactor > 0) {
  callbacks.push(
    reduceLrOnPlateau({
      optimizer: model.optimizer,
      factor: cfg.plateauFactor,
      patience: cfg.plateauPatience,
    }),
  );
}
if (cfg.earlyStopping > 0)
  callbacks.push(earlyStopping({ patience: cfg.earlyStopping, restoreBestWeights: true }));
await model.fit([train.src, train.tgtIn], train.tgtOut, {
  batchSize: cfg.batchSize,
  epochs: cfg.epochs,
  seed: cfg.seed,
  verbose: false,
  validationData: [[val.src, val.tgtIn], val.tgtOut],
  callbacks,
  ...(cfg.clipNorm > 0 ? { clipNorm: cfg.clipNorm } : {}),
});
if (cfg.earlyStopping > 0) {
  const s = score(model, held); // the restored best epoch's weights
  curve.push({
    restoredBest: true,
    tokenAccuracy: +s.tokenAccuracy.toFixed(4),
    exactMatch: +s.exactMatch.toFixed(4),
    bleu: +s.bleu.toFixed(4),
  });
  console.log(JSON.stringify(curve.at(-1)));
}

const refAfter = useRef ? await referencePairsPerS() : REF_SOLO_PAIRS_PER_S;
loadFactor = (refBefore + refAfter) / 2 / REF_SOLO_PAIRS_PER_S;
for (const point of curve) {
  if (point.trainCpuSeconds !== undefined)
    point.soloSeconds = +(point.trainCpuSeconds * loadFactor).toFixed(1);
}
const line = {
  config: cfg,
  refPairsPerS: [+refBefore.toFixed(0), +refAfter.toFixed(0)],
  trainingWindows: trainRows.length,
  pretrainCpuSeconds: +pretrainCpuSeconds.toFixed(1),
  params: model.countParams(),
  loadFactor: +loadFactor.toFixed(3),
  curve,
};
mkdirSync(join(here, 'results'), { recursive: true });
appendFileSync(join(here, 'results', `${cfg.results}.jsonl`), `${JSON.stringify(line)}\n`);
tf.dispose([train, held, val].flatMap((d) => [d.src, d.tgtIn, d.tgtOut]));
model.dispose();
