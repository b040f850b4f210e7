/**
 * `Seq2Seq`: an encoder and a decoder over one set of layer objects, hence one set of weights
 * (d2l-ai's `EncoderDecoder`), used two ways:
 *
 *   model    [src, tgtIn] -> probabilities [batch, tgtLen, vocabSize]: the Keras-equivalent
 *            functional model (softmax output), compiled with the configured optimizer, sparse
 *            categorical cross-entropy and accuracy; for summary, countParams and save.
 *   eager    training (`fit`), `forward`, `encode`, `initialState` and `decodeStep` call the same
 *            layers directly, the padding mask and states passed explicitly.
 *
 * Why eager and not several functional models (training, encoder, one-step decoder): TF.js 4.22
 * runs a functional model with one `kwargs` object shared by all its layers, so a Keras mask or
 * an RNN's initialState set for one layer reaches every later layer, and it re-runs a layer with
 * several outputs once per output used (an LSTM with returnState runs 3 times). The recurrent
 * layers here guard against the first (`guardExecutorKwargs`), so `model.predict` is right,
 * but the eager path avoids both and is the faster one (`forward`, `fit`, `decodeStep`).
 *
 * Teacher forcing: tgtIn is the target shifted right behind a start token, tgtOut the target
 * itself (`shiftRight`); padding id 0 in tgtOut counts in neither loss nor accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { saveSeq2Seq } from '../save/save-seq2seq.js';
import type { StepFn, StepOutput } from '../search/types.js';
import type { History, Logs } from '../train/callbacks.js';
import type { Dataset } from '../train/dataset.js';
import { evaluateLoop } from '../train/evaluate.js';
import { fitLoop, type TrainOptions } from '../train/fit.js';
import { scheduledRate } from '../train/learning-rate-schedule.js';
import { createOptimizer } from '../train/optimizer.js';
import { type Trainable, tokenObjective } from '../train/trainable.js';
import { type ResolvedSeq2SeqConfig, resolveSeq2SeqConfig, type Seq2SeqConfig } from './config.js';
import type { DecoderOutputs } from './decoder.js';
import type { EncoderOutputs } from './encoder.js';
import { type TokenInput, toTokenTensor } from './inputs.js';
import { buildKerasModel } from './keras-model.js';
import {
  type AnyDecoder,
  buildParts,
  type ForwardResult,
  type Seq2SeqEncoder,
  type Seq2SeqState,
} from './seq2seq-parts.js';
import {
  checkOptionKeys,
  checkVocabulary,
  type Seq2SeqVocabulary,
  type Seq2SeqVocabularyInput,
} from './seq2seq-vocabulary.js';
import { type PrintFn, printSummary } from './summary.js';
import { tidyResult } from './tidy.js';

export type { ForwardResult, Seq2SeqState } from './seq2seq-parts.js';

/** Inputs of teacher forcing: [src [batch, srcLen], tgtIn [batch, tgtLen]]. */
export type Seq2SeqInputs = readonly [src: TokenInput, tgtIn: TokenInput];

export interface Seq2SeqFitOptions extends TrainOptions {
  /** [[src, tgtIn], tgtOut] held out for `val_loss` / `val_accuracy`; overrides validationSplit. */
  validationData?: readonly [Seq2SeqInputs, TokenInput];
}

export interface Seq2SeqOptions {
  /** Word lists or word indices to keep with the model (saved with it). */
  vocabulary?: Seq2SeqVocabularyInput;
}

export function createSeq2Seq(config: Seq2SeqConfig, options: Seq2SeqOptions = {}): Seq2Seq {
  return new Seq2Seq(resolveSeq2SeqConfig(config), options);
}

export class Seq2Seq {
  readonly encoder: Seq2SeqEncoder;
  readonly decoder: AnyDecoder;
  /** [src, tgtIn] -> probabilities: the Keras-equivalent model (softmax output), compiled. */
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  /** Every epoch trained so far, across `fit` calls; saved with the model. */
  history: History = { epoch: [], history: {} };
  private vocab: Seq2SeqVocabulary | undefined;
  private disposed = false;

  constructor(
    readonly config: ResolvedSeq2SeqConfig,
    options: Seq2SeqOptions = {},
  ) {
    checkOptionKeys(options);
    const { encoder, decoder } = buildParts(config);
    this.encoder = encoder;
    this.decoder = decoder;
    const step = decoder.step as (
      tokens: tf.Tensor1D,
      state: Seq2SeqState,
    ) => StepOutput<Seq2SeqState>;
    this.decodeStep = Object.assign(
      (tokens: tf.Tensor1D, state: Seq2SeqState) => step(tokens, state),
      { vocabSize: config.decoder.vocabSize }, // search checks startId and endId against it
    );
    this.model = buildKerasModel(this.encoder, this.decoder);
    // The rate of the first update; a schedule sets each later one (train/fit.ts).
    const firstRate = scheduledRate(config.learningRateSchedule, config.learningRate, 1);
    this.optimizer = createOptimizer({ ...config, learningRate: firstRate });
    this.model.compile({
      optimizer: this.optimizer,
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
    this.vocabulary = options.vocabulary;
  }

  /**
   * The vocabularies kept with the model (word list or word index per side), if any. A Map word
   * index set here is kept as the plain object it saves as (see `checkVocabulary`).
   */
  get vocabulary(): Seq2SeqVocabulary | undefined {
    return this.vocab;
  }

  set vocabulary(vocabulary: Seq2SeqVocabularyInput | undefined) {
    this.vocab = checkVocabulary(
      vocabulary,
      this.config.encoder.vocabSize,
      this.config.decoder.vocabSize,
    );
  }

  /** Trains with teacher forcing (see `fitLoop`); the returned History covers this call only. */
  async fit(x: Seq2SeqInputs, y: TokenInput, options: Seq2SeqFitOptions = {}): Promise<History> {
    const owned: tf.Tensor[] = [];
    try {
      const data = this.dataset(x, y, owned, '');
      const validationData = options.validationData
        ? this.dataset(
            options.validationData[0],
            options.validationData[1],
            owned,
            'validationData ',
          )
        : undefined;
      const history = await fitLoop(this.trainable(), data, {
        ...options,
        validationData,
        initialEpoch: this.history.epoch.length,
      });
      this.history.epoch.push(...history.epoch);
      for (const [key, values] of Object.entries(history.history)) {
        this.history.history[key] = [...(this.history.history[key] ?? []), ...values];
      }
      return history;
    } finally {
      tf.dispose(owned);
    }
  }

  /** Mean `loss` and `accuracy` over the real target tokens of [src, tgtIn] -> tgtOut. */
  async evaluate(
    x: Seq2SeqInputs,
    y: TokenInput,
    options: { batchSize?: number } = {},
  ): Promise<Logs> {
    const owned: tf.Tensor[] = [];
    try {
      return await evaluateLoop(this.trainable(), this.dataset(x, y, owned, ''), options.batchSize);
    } finally {
      tf.dispose(owned);
    }
  }

  /**
   * Teacher-forced pass: logits [batch, tgtLen, vocabSize] and, with attention, the weights
   * [batch, tgtLen, srcLen]; `heads: true` adds a Transformer's per-head weights (see
   * `ForwardResult`). The caller disposes them.
   */
  forward(x: Seq2SeqInputs, options: { heads?: boolean } = {}): ForwardResult {
    const owned: tf.Tensor[] = [];
    try {
      const [src, tgtIn] = this.inputs(x, owned, '');
      const { logits, states, attention, ...heads } = this.run(src, tgtIn, false);
      tf.dispose(states);
      const result: ForwardResult = { logits: logits as tf.Tensor3D };
      if (attention) result.attention = attention as tf.Tensor3D;
      if (options.heads && heads.decoderCross) {
        result.heads = heads as Required<ForwardResult>['heads'];
      } else {
        tf.dispose(Object.values(heads));
      }
      return result;
    } finally {
      tf.dispose(owned);
    }
  }

  /** Encoder outputs, final states and source mask of `src`; the caller disposes them. */
  encode(src: TokenInput): EncoderOutputs<tf.Tensor> {
    return this.encoder.encode(src);
  }

  /** The decoder's first state for `src` (see `Seq2SeqState`); the caller disposes it. */
  initialState(src: TokenInput): Seq2SeqState {
    return this.decoder.initState(this.encode(src) as never);
  }

  /**
   * One decoder step for search (the `StepFn` contract): `tokens` int32 [rows] and the state ->
   * logits [rows, vocabSize] (their tf.logSoftmax is the log-probabilities), the next state and
   * the attention weights [rows, srcLen]. Reads but never disposes its arguments; every returned
   * tensor is new and the caller's to dispose.
   */
  readonly decodeStep: StepFn<Seq2SeqState>;

  /**
   * Saves into `dir`: model.json + weights.bin (the Keras-equivalent model), encdec-seq2seq.json (config, vocabulary,
   * history) and the optimizer's state, as one whole save that replaces the previous one
   * atomically (see save/save-seq2seq.ts). Load with `loadSeq2Seq(dir)`.
   */
  async save(dir: string): Promise<void> {
    await saveSeq2Seq(this, dir);
  }

  /** Prints the Keras-equivalent model's layers and parameter counts, one line per call. */
  summary(printFn?: PrintFn): void {
    printSummary(this.model, printFn);
  }

  /** Trainable and non-trainable parameters, as Keras' `count_params()`. */
  countParams(): number {
    return this.model.countParams();
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the weights and the optimizer's state; the model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.model.weights) w.dispose();
    this.optimizer.dispose();
    this.encoder.dispose?.();
    this.decoder.dispose?.();
  }

  /** The training loop's view of this model. */
  private trainable(): Trainable {
    return {
      optimizer: this.optimizer,
      variables: () => this.model.trainableWeights.map((w) => w.read() as tf.Variable),
      logits: (inputs, training) =>
        tf.tidy(() => {
          return this.run(inputs[0]!, inputs[1]!, training).logits;
        }),
      save: (dir) => this.save(dir),
      // Label smoothing regularizes training only; validation reports the plain cross-entropy.
      objective: (logits, targets, training) =>
        tokenObjective(logits, targets, training ? this.config.labelSmoothing : 0),
      ...(this.config.learningRateSchedule.kind === 'constant'
        ? {}
        : {
            learningRate: (step: number) =>
              scheduledRate(this.config.learningRateSchedule, this.config.learningRate, step),
          }),
    };
  }

  /** Teacher-forced pass over checked tensors: logits, weights and (Transformer) per-head weights. */
  private run(
    src: tf.Tensor,
    tgtIn: tf.Tensor,
    training: boolean,
  ): DecoderOutputs<tf.Tensor> &
    Partial<Record<keyof NonNullable<ForwardResult['heads']>, tf.Tensor[]>> {
    return tidyResult(() => {
      const encoded = this.encoder.run(src, training);
      const { selfAttention, crossAttention, ...decoded } = this.decoder.teacherForce(
        tgtIn,
        encoded,
        training,
      );
      if (!crossAttention) return decoded;
      return {
        ...decoded,
        encoderSelf: encoded.selfAttention ?? [],
        decoderSelf: selfAttention ?? [],
        decoderCross: crossAttention,
      };
    });
  }

  private inputs(x: Seq2SeqInputs, owned: tf.Tensor[], prefix: string): [tf.Tensor2D, tf.Tensor2D] {
    if (!Array.isArray(x) || x.length !== 2) {
      throw invalidArgument(`${prefix}x`.trim(), x, 'a pair [src, tgtIn] of token-id rows');
    }
    const take = (name: string, input: TokenInput, vocabSize: number) => {
      const { tensor, owned: mine } = toTokenTensor(`${prefix}${name}`, input, vocabSize);
      if (mine) owned.push(tensor);
      return tensor;
    };
    const src = take('src', x[0], this.config.encoder.vocabSize);
    const tgtIn = take('tgtIn', x[1], this.config.decoder.vocabSize);
    if (src.shape[0] !== tgtIn.shape[0]) {
      throw invalidArgument(
        `${prefix}tgtIn`,
        `${tgtIn.shape[0]} rows`,
        `${src.shape[0]} rows, one per src row`,
      );
    }
    return [src, tgtIn];
  }

  private dataset(x: Seq2SeqInputs, y: TokenInput, owned: tf.Tensor[], prefix: string): Dataset {
    const inputs = this.inputs(x, owned, prefix);
    const { tensor: targets, owned: mine } = toTokenTensor(
      `${prefix}tgtOut`,
      y,
      this.config.decoder.vocabSize,
    );
    if (mine) owned.push(targets);
    if (targets.shape.join() !== inputs[1].shape.join()) {
      throw invalidArgument(
        `${prefix}tgtOut`,
        targets.shape,
        `the shape of tgtIn ${JSON.stringify(inputs[1].shape)}`,
      );
    }
    return { inputs, targets };
  }
}
