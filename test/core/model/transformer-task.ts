/**
 * The learning benchmark of the Transformer tests: a small Transformer (dModel 32, 4 heads, 2 + 2
 * layers, pre-norm, Adam at 0.005 unless the budget sets a schedule) learns a synthetic task
 * (`sequenceTask`: reverse or sort rows of the 10 symbols 4-13) and decodes held-out rows greedily
 * over its cached decodeStep. Seeded data, weights and shuffle.
 */
import {
  createSeq2Seq,
  exactMatch,
  greedySearch,
  initBackend,
  type Seq2SeqConfig,
  type SequenceTask,
  type SequenceTaskData,
  sequenceTask,
  TASK_END_ID,
  TASK_START_ID,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

const V = 14;

/**
 * The source rows padded in front (Keras' `pad_sequences` default) instead of behind: the last
 * symbol then always sits at position maxLength - 1, so with absolute positions "the t-th symbol
 * from the end" is one fixed position for every length, which is what reversal aligns on.
 */
function prePadded(data: SequenceTaskData): SequenceTaskData {
  const src = data.src.map((row) => {
    const symbols = row.filter((id) => id !== 0);
    return [...new Array<number>(row.length - symbols.length).fill(0), ...symbols];
  });
  return { ...data, src };
}

export interface TaskResult {
  backend: string;
  exactMatch: number;
  trainAccuracy: number;
  seconds: number;
  leaked: number;
}

/** The rows' lengths and the training budget of one task. */
export interface TaskBudget {
  minLength: number;
  maxLength: number;
  rows: number;
  epochs: number;
  /** The positional encodings of both halves. Default 'sinusoidal'. */
  positional?: 'sinusoidal' | 'learned';
  /**
   * Adam's betas and epsilon, label smoothing and the learning-rate schedule. Default: Keras'
   * Adam, no smoothing, a constant rate.
   */
  training?: Pick<Seq2SeqConfig, 'adam' | 'labelSmoothing' | 'learningRateSchedule'>;
  /** Held-out rows decoded. Default 200. */
  heldOut?: number;
}

/** Trains on `budget.rows` sequences and decodes `budget.heldOut` held-out ones greedily. */
export async function trainTransformerTask(
  task: SequenceTask,
  budget: TaskBudget,
): Promise<TaskResult> {
  const { backend } = await initBackend({ log: null });
  const started = Date.now();
  const { minLength, maxLength } = budget;
  const make = (count: number, seed: string) =>
    prePadded(sequenceTask({ task, count, vocabSize: V, minLength, maxLength, seed }));
  const train = make(budget.rows, `${task}-train`);
  const test = make(budget.heldOut ?? 200, `${task}-test`);
  const sizes = {
    kind: 'transformer',
    vocabSize: V,
    dModel: 32,
    numHeads: 4,
    numLayers: 2,
    ffDim: 64,
    dropout: 0,
    maxLength: maxLength + 1,
    positional: budget.positional ?? 'sinusoidal',
  } as const;
  // Pre-norm trains without the paper's warm-up (Xiong et al. 2020); a budget may still set one.
  const fitOptions = { epochs: budget.epochs, batchSize: 64, seed: 1, clipNorm: 1, verbose: false };
  const model = createSeq2Seq({
    encoder: { ...sizes, seed: 7 },
    decoder: sizes,
    learningRate: 0.005,
    ...budget.training,
  });
  const history = await model.fit([train.src, train.tgtIn], train.tgtOut, fitOptions);
  // Greedy decoding over the key/value cache; nothing of it may stay behind.
  const before = tf.memory().numTensors;
  const state = model.initialState(test.src);
  const options = { startId: TASK_START_ID, endId: TASK_END_ID, maxLength: maxLength + 1 };
  const decoded = greedySearch(model.decodeStep, state, options).map((h) => h.tokens);
  tf.dispose(state);
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  const expected = test.targets.map((target) => [...target, TASK_END_ID]);
  return {
    backend,
    exactMatch: exactMatch(decoded, expected),
    trainAccuracy: history.history.accuracy!.at(-1)!,
    seconds: (Date.now() - started) / 1000,
    leaked,
  };
}
