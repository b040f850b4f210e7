/**
 * A binary sequence classifier on an encoder (one of the Keras example's applications: IMDB sentiment):
 * the encoder reads the tokens, one vector sums the sequence up, a Dense layer scores it.
 *
 *   src [batch, srcLen] -> encoder -> outputs [batch, srcLen, stateSize], final h [batch, stateSize]
 *   pooled [batch, stateSize]   'last': h; 'mean' / 'max': over the steps whose id is not 0
 *   logits [batch, 1]           Dense(1); p(positive) = sigmoid(logit), Keras' Dense(1, 'sigmoid')
 *
 * Trained by the same loop as seq2seq (`fitLoop`) with its own objective: binary cross-entropy
 * -[y log p + (1 - y) log(1 - p)] on the logit (the numerically stable form of
 * `tf.losses.sigmoidCrossEntropy`), accuracy = share of rows with (p > 0.5) == y.
 * Pooling skips padding (id 0) whatever the encoder's maskZero, so pre-padded rows (Keras'
 * default) can run through a faster unmasked encoder and still be averaged over real tokens only.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { type EncoderConfig, resolveEncoderConfig } from '../model/config.js';
import { buildEncoder, type Encoder } from '../model/encoder.js';
import { type TokenInput, toTokenTensor } from '../model/inputs.js';
import { createDense, SeedSequence } from '../model/stock-layers.js';
import type { History, Logs } from '../train/callbacks.js';
import type { Dataset } from '../train/dataset.js';
import { evaluateLoop } from '../train/evaluate.js';
import { fitLoop, type TrainOptions } from '../train/fit.js';
import {
  type AdamConfig,
  createOptimizer,
  type OptimizerName,
  resolveAdam,
  resolveOptimizer,
} from '../train/optimizer.js';
import type { BatchSums, Trainable } from '../train/trainable.js';

/** How the encoder's outputs become one vector per sequence. */
export const POOLINGS = ['last', 'mean', 'max'] as const;
export type Pooling = (typeof POOLINGS)[number];

export interface SequenceClassifierConfig {
  /** An encoder to reuse (e.g. `createEncoder(...)`, or a seq2seq model's `.encoder`), or its config. */
  encoder: Encoder | EncoderConfig;
  /**
   * 'last' (default): the final state h, as Keras' LSTM(return_sequences=False) feeds its Dense;
   * 'mean' / 'max': average / maximum of the outputs over real tokens, which gives every step a
   * direct path to the loss (a shorter gradient path than through 200 recurrent steps).
   */
  pooling?: Pooling;
  /** Default 'adam' (Kingma & Ba 2015). */
  optimizer?: OptimizerName;
  /** Default 0.001, the Keras default (sgd: 0.01). */
  learningRate?: number;
  /** Adam's beta1, beta2, epsilon (used with optimizer 'adam'). Default Keras': 0.9, 0.999, 1e-7. */
  adam?: AdamConfig;
  /** Seed of the Dense layer's initializer (and of a new encoder's, unless its config has one). */
  seed?: number;
}

export interface ClassifierFitOptions extends TrainOptions {
  /** [src, labels] held out for `val_loss` / `val_accuracy`; overrides validationSplit. */
  validationData?: readonly [TokenInput, ArrayLike<number>];
}

export function createSequenceClassifier(config: SequenceClassifierConfig): SequenceClassifier {
  return new SequenceClassifier(config);
}

export class SequenceClassifier {
  readonly encoder: Encoder;
  /** Dense(1) on the pooled vector: the logit of the positive class. */
  readonly head: tf.layers.Layer;
  readonly pooling: Pooling;
  readonly optimizer: tf.Optimizer;

  constructor(config: SequenceClassifierConfig) {
    if (config === null || typeof config !== 'object') {
      throw invalidArgument('config', config, 'a config object { encoder, pooling?, ... }');
    }
    const pooling = config.pooling ?? 'last';
    if (!(POOLINGS as readonly string[]).includes(pooling)) {
      throw invalidArgument('pooling', pooling, `one of ${POOLINGS.join(', ')}`);
    }
    this.pooling = pooling;
    const given = config.encoder as Partial<Encoder> | undefined;
    if (given && typeof given.run === 'function') {
      this.encoder = given as Encoder;
    } else {
      const resolved = resolveEncoderConfig(config.encoder as EncoderConfig, 'encoder.');
      this.encoder = buildEncoder(resolved, new SeedSequence(resolved.seed ?? config.seed));
    }
    const seeds = new SeedSequence(config.seed);
    this.head = createDense('classifier_logit', 1, seeds);
    tf.tidy(() => {
      this.head.apply(tf.zeros([1, this.encoder.stateSize])); // builds its weights
    });
    this.optimizer = createOptimizer({
      ...resolveOptimizer(config.optimizer, config.learningRate),
      adam: resolveAdam(config.adam),
    });
  }

  /** Trains on token-id rows and their labels (0 or 1) with `fitLoop`; History of this call. */
  async fit(
    src: TokenInput,
    labels: ArrayLike<number>,
    options: ClassifierFitOptions = {},
  ): Promise<History> {
    const owned: tf.Tensor[] = [];
    try {
      const data = this.dataset(src, labels, owned, '');
      const val = options.validationData;
      const validationData = val
        ? this.dataset(val[0], val[1], owned, 'validationData ')
        : undefined;
      return await fitLoop(this.trainable(), data, { ...options, validationData });
    } finally {
      tf.dispose(owned);
    }
  }

  /** Mean binary cross-entropy (`loss`) and `accuracy` over the rows. */
  async evaluate(
    src: TokenInput,
    labels: ArrayLike<number>,
    options: { batchSize?: number } = {},
  ): Promise<Logs> {
    const owned: tf.Tensor[] = [];
    try {
      const data = this.dataset(src, labels, owned, '');
      return await evaluateLoop(this.trainable(), data, options.batchSize);
    } finally {
      tf.dispose(owned);
    }
  }

  /** p(positive) of each row, in batches of `batchSize` (default 256). */
  async predict(src: TokenInput, options: { batchSize?: number } = {}): Promise<Float32Array> {
    const batchSize = options.batchSize ?? 256;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw invalidArgument('batchSize', batchSize, 'a positive integer');
    }
    const { tensor, owned } = toTokenTensor('src', src, this.encoder.config.vocabSize);
    try {
      const rows = tensor.shape[0];
      const out = new Float32Array(rows);
      for (let start = 0; start < rows; start += batchSize) {
        const size = Math.min(batchSize, rows - start);
        const p = tf.tidy(() => tf.sigmoid(this.logits(tf.slice(tensor, start, size), false)));
        out.set(await p.data(), start);
        p.dispose();
      }
      return out;
    } finally {
      if (owned) tensor.dispose();
    }
  }

  /** Trainable and non-trainable parameters of the encoder and the head. */
  countParams(): number {
    return this.encoder.model.countParams() + this.head.countParams();
  }

  /** Frees the weights (the encoder's too), the optimizer's state and any dropout masks. */
  dispose(): void {
    for (const w of [...this.encoder.model.weights, ...this.head.weights]) w.dispose();
    this.optimizer.dispose();
    disposeDropoutMasks(this.encoder.model);
  }

  /** logits [batch, 1] of int32 ids [batch, srcLen]. */
  private logits(src: tf.Tensor, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const { outputs, states, srcMask } = this.encoder.run(src, training);
      srcMask.dispose();
      let pooled: tf.Tensor; // [batch, stateSize]
      if (this.pooling === 'last') {
        pooled = states[0]!;
      } else {
        const real = tf.expandDims(tf.cast(tf.notEqual(src, 0), 'float32'), 2); // [batch, srcLen, 1]
        if (this.pooling === 'mean') {
          const count = tf.maximum(tf.sum(real, 1), 1); // [batch, 1]
          pooled = tf.div(tf.sum(tf.mul(outputs, real), 1), count);
        } else {
          // Padding steps get -1e9, so they never win the max (see masked-softmax.ts).
          pooled = tf.max(tf.add(outputs, tf.mul(tf.sub(1, real), -1e9)), 1);
        }
      }
      return this.head.apply(pooled) as tf.Tensor2D;
    });
  }

  /** The training loop's view: logits [batch, 1], binary cross-entropy, one count per row. */
  private trainable(): Trainable {
    return {
      optimizer: this.optimizer,
      variables: () =>
        [...this.encoder.model.trainableWeights, ...this.head.trainableWeights].map(
          (w) => w.read() as tf.Variable,
        ),
      logits: (inputs, training) => this.logits(inputs[0]!, training),
      objective: binaryObjective,
    };
  }

  /** Checked tensors: src int32 [rows, srcLen], labels float32 [rows, 1]. */
  private dataset(
    src: TokenInput,
    labels: ArrayLike<number>,
    owned: tf.Tensor[],
    prefix: string,
  ): Dataset {
    const { tensor, owned: mine } = toTokenTensor(
      `${prefix}src`,
      src,
      this.encoder.config.vocabSize,
    );
    if (mine) owned.push(tensor);
    const rows = tensor.shape[0];
    if (labels == null || typeof labels.length !== 'number' || labels.length !== rows) {
      throw invalidArgument(
        `${prefix}labels`,
        labels == null ? labels : `${labels.length} labels`,
        `one label (0 or 1) per src row, ${rows}`,
      );
    }
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const v = labels[r];
      if (v !== 0 && v !== 1) throw invalidArgument(`${prefix}labels[${r}]`, v, '0 or 1');
      y[r] = v;
    }
    const targets = tf.tensor2d(y, [rows, 1]);
    owned.push(targets);
    return { inputs: [tensor], targets };
  }
}

/** Binary cross-entropy on logits and accuracy at p > 0.5 (logit > 0); each row counts once. */
function binaryObjective(logits: tf.Tensor, targets: tf.Tensor): BatchSums {
  return tf.tidy(() => {
    const perRow = tf.losses.sigmoidCrossEntropy(targets, logits, undefined, 0, tf.Reduction.NONE);
    const predicted = tf.cast(tf.greater(logits, 0), 'float32');
    return {
      lossSum: tf.sum(perRow) as tf.Scalar,
      correct: tf.sum(tf.cast(tf.equal(predicted, targets), 'float32')) as tf.Scalar,
      count: tf.scalar(targets.shape[0]!),
    };
  }) as unknown as BatchSums;
}

/** A recurrent cell as TF.js 4.22 declares it (`RNNCell`): its masks are public fields. */
interface CellMasks {
  dropoutMask: tf.Tensor | tf.Tensor[] | null;
  recurrentDropoutMask: tf.Tensor | tf.Tensor[] | null;
}

/**
 * TF.js's recurrent cells keep the dropout masks of their last training call (one per gate) and
 * free them only at their next call, so a model trained with dropout holds them until then.
 */
function disposeDropoutMasks(model: tf.LayersModel): void {
  type Wrapper = { cell?: CellMasks; forwardLayer?: Wrapper; backwardLayer?: Wrapper };
  for (const layer of model.layers as unknown as Wrapper[]) {
    for (const cell of [layer.cell, layer.forwardLayer?.cell, layer.backwardLayer?.cell]) {
      if (!cell) continue;
      tf.dispose([cell.dropoutMask ?? [], cell.recurrentDropoutMask ?? []].flat());
      cell.dropoutMask = null;
      cell.recurrentDropoutMask = null;
    }
  }
}
