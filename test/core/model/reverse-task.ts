/**
 * The learning benchmark of the model tests: reverse a sequence of 10-15 tokens (vocabulary 21:
 * 0 padding, 1 start, 2 unknown (unused), 3 end, 4-20 symbols: the library's `sequenceTask`). Seeded data, seeded
 * weights, seeded shuffle; the same budget with and without attention. Decoding is greedy
 * (search/greedy.ts) over decodeStep.
 */
import {
  createSeq2Seq,
  type DecoderAttention,
  greedySearch,
  initBackend,
  sequenceTask,
  TASK_END_ID,
  TASK_START_ID,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const V = 21;
const MAX_LEN = 15;

/** `n` rows of the reverse task (ids 4-20, 10-15 of them), by `seed`. */
const makeData = (n: number, seed: string) =>
  sequenceTask({
    task: 'reverse',
    count: n,
    vocabSize: V,
    minLength: 10,
    maxLength: MAX_LEN,
    seed,
  });

export interface ReverseResult {
  backend: string;
  exactMatch: number;
  trainAccuracy: number;
  seconds: number;
  leaked: number;
}

/** Trains on 3,000 sequences for 4 epochs and decodes 200 held-out ones greedily. */
export async function trainReverse(attention: DecoderAttention): Promise<ReverseResult> {
  const { backend } = await initBackend({ log: null });
  const started = Date.now();
  const train = makeData(3000, 'reverse-train');
  const test = makeData(200, 'reverse-test');
  const model = createSeq2Seq({
    // Bidirectional: each source position knows its distance from both ends, which is what
    // reversal aligns on.
    encoder: {
      vocabSize: V,
      embeddingDim: 16,
      units: 32,
      cell: 'lstm',
      bidirectional: true,
      seed: 7,
    },
    decoder: { vocabSize: V, embeddingDim: 16, units: 64, cell: 'lstm', attention },
    optimizer: 'adam',
    learningRate: 0.01,
  });
  const history = await model.fit([train.src, train.tgtIn], train.tgtOut, {
    epochs: 4,
    batchSize: 64,
    seed: 1,
    clipNorm: 5,
    verbose: false,
  });
  const before = tf.memory().numTensors;
  const state = model.initialState(test.src);
  const hypotheses = greedySearch(model.decodeStep, state, {
    startId: TASK_START_ID,
    endId: TASK_END_ID,
    maxLength: MAX_LEN + 1,
  });
  tf.dispose(state);
  const leaked = tf.memory().numTensors - before;
  let exact = 0;
  hypotheses.forEach((h, i) => {
    if (h.tokens.join() === [...test.targets[i]!, TASK_END_ID].join()) exact++;
  });
  model.dispose();
  return {
    backend,
    exactMatch: exact / test.src.length,
    trainAccuracy: history.history.accuracy!.at(-1)!,
    seconds: (Date.now() - started) / 1000,
    leaked,
  };
}
