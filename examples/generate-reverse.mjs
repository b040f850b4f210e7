#!/usr/bin/env node
// Loads the model saved by train-reverse.mjs and reverses a few new rows with greedy search, beam
// search and sampling, then many rows on every core with a DecodePool. Run from the repository
// root after `npm run build` and the training script:
//
//   node examples/generate-reverse.mjs [modelDir]   # default modelDir: out/reverse-model
import { resolve } from 'node:path';
import {
  beamSearch,
  createDecodePool,
  greedySearch,
  initBackend,
  loadSeq2Seq,
  sampleSearch,
  sequenceTask,
  TASK_END_ID,
  TASK_START_ID,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const dir = resolve(process.argv[2] ?? 'out/reverse-model');
await initBackend();
const model = await loadSeq2Seq(dir);
const { vocabSize } = model.config.encoder;
const maxLength = 8;
const rows = sequenceTask({ task: 'reverse', count: 3, vocabSize, maxLength, seed: 'generate' });
const search = { startId: TASK_START_ID, endId: TASK_END_ID, maxLength: maxLength + 1 };
const show = (tokens) => tokens.filter((id) => id !== TASK_END_ID).join(' ');

const state = model.initialState(rows.src);
const greedy = greedySearch(model.decodeStep, state, search);
const beams = beamSearch(model.decodeStep, state, { ...search, beamWidth: 4, nBest: 2 });
const samples = sampleSearch(model.decodeStep, state, { ...search, temperature: 1, seed: 1 });
tf.dispose(state);
rows.targets.forEach((target, i) => {
  console.log(`source:  ${show([...target].reverse())}`);
  console.log(`  greedy: ${show(greedy[i].tokens)}`);
  for (const [k, h] of beams[i].entries()) {
    console.log(`  beam ${k + 1}: ${show(h.tokens)} (log p ${h.logProb.toFixed(3)})`);
  }
  console.log(`  sample: ${show(samples[i].tokens)}`);
});
const right = greedy.filter((h, i) => show(h.tokens) === show(rows.targets[i])).length;
console.log(`greedy reversed ${right} of ${rows.targets.length} rows`);

// Many rows: a DecodePool splits them across the cores (one worker thread per further core), and
// finds the same hypotheses as greedySearch on one thread. (It pays off on large batches of a
// large model once its threads are warm: `npm run bench -- train-decode` measures it.)
const many = sequenceTask({ task: 'reverse', count: 512, vocabSize, maxLength, seed: 'pool' });
const pool = await createDecodePool(model);
const pooled = await pool.greedy(many.src, search);
await pool.close();
const manyState = model.initialState(many.src);
const alone = greedySearch(model.decodeStep, manyState, search);
tf.dispose(manyState);
const same = pooled.filter((h, i) => h.tokens.join() === alone[i].tokens.join()).length;
console.log(
  `${many.targets.length} rows on ${pool.threads} threads: same tokens as one thread in ${same} rows`,
);
model.dispose();
