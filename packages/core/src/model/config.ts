/**
 * The configuration of encoders, decoders and seq2seq models: small typed configs, their
 * defaults (each with the reason it was chosen) and the checks that turn a bad value into an
 * error naming the field. Everything else in `model/` reads the resolved configs only.
 */

import { ATTENTION_KINDS, type AttentionKind, isAttentionKind } from '../attention/kinds.js';
import { positiveInt } from '../checks.js';
import { invalidArgument, notOneOf } from '../errors.js';
import { GATE_ACTIVATIONS, type GateActivation, isGateActivation } from '../fused/loop-types.js';
import {
  type LearningRateSchedule,
  type ResolvedLearningRateSchedule,
  resolveLearningRateSchedule,
} from '../train/learning-rate-schedule.js';
import {
  type AdamConfig,
  type OptimizerName,
  resolveAdam,
  resolveOptimizer,
} from '../train/optimizer.js';
import { bool, checkKeys, checkObject, rate, withSeed } from './config-checks.js';
import {
  type ResolvedTransformerDecoderConfig,
  type ResolvedTransformerEncoderConfig,
  resolveTransformerDecoderConfig,
  resolveTransformerEncoderConfig,
  type TransformerDecoderConfig,
  type TransformerEncoderConfig,
} from './transformer-config.js';

/**
 * Recurrent cells, each with its update rule (x_t the input, h_t the state at step t):
 * - `rnn`: h_t = tanh(W x_t + U h_{t-1} + b) (Elman 1990; the Keras example's "simple RNN").
 * - `lstm`: gated cell with a memory c_t next to h_t (Hochreiter & Schmidhuber 1997, with the
 *   forget gate of Gers et al. 2000); the state is [h, c].
 * - `gru`: gated cell without a separate memory (Cho et al. 2014); the state is [h].
 */
export const CELL_KINDS = ['rnn', 'lstm', 'gru'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export function isCellKind(x: unknown): x is CellKind {
  return typeof x === 'string' && (CELL_KINDS as readonly string[]).includes(x);
}

/**
 * How an LSTM's or GRU's gates are computed; both default to what Keras 2+ and PyTorch compute, so
 * that a model here is the model there, weight for weight.
 */
export interface GateConfig {
  /**
   * The gates' activation: 'sigmoid' (default), the logistic 1 / (1 + e^-x) of Keras 2+
   * (`recurrent_activation='sigmoid'`) and PyTorch's nn.LSTM / nn.GRU; or 'hardSigmoid',
   * clip(0.2 x + 0.5, 0, 1), the default of TF.js's layers and Keras 1 (cheaper, but a
   * different model: its gates saturate to exactly 0 and 1). The 'rnn' cell has no gates.
   */
  recurrentActivation?: GateActivation;
  /**
   * GRU only: apply the reset gate after the recurrent product, with an input and a recurrent
   * bias, hh = tanh(W_h x + b_h + r (U_h h + b_rh)) (default true: Keras 2+'s `reset_after=True`,
   * PyTorch's nn.GRU); false: before it, hh = tanh(W_h x + b_h + U_h (r h)), one bias (Cho et
   * al. 2014, Keras 1, and the only GRU tf.layers has).
   */
  resetAfter?: boolean;
}

/** Tensors in a cell's state: [h, c] for an LSTM, [h] otherwise. */
export function stateCount(cell: CellKind): 1 | 2 {
  return cell === 'lstm' ? 2 : 1;
}

/** `'none'` or an attention scoring function (see `ATTENTION_KINDS`). */
export type DecoderAttention = 'none' | AttentionKind;

/**
 * The kinds of encoder and decoder: 'recurrent' (this file's configs; the default when `kind` is
 * absent, so configs and saves from before the Transformer read as they were) and 'transformer'
 * (transformer-config.ts).
 */
export const MODEL_KINDS = ['recurrent', 'transformer'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface EncoderConfig extends GateConfig {
  /** 'recurrent', the default. */
  kind?: 'recurrent';
  /** Source vocabulary size, padding id 0 included. */
  vocabSize: number;
  /** Size of a token's embedding vector. */
  embeddingDim: number;
  /** Size of the recurrent state of each direction. */
  units: number;
  /** Recurrent cell: 'rnn', 'lstm' or 'gru'. */
  cell: CellKind;
  /**
   * Read the source in both directions (Bahdanau et al. 2015, section 3.2). Outputs and final
   * states are the concatenation [forward; backward], so they have 2 * units features and the
   * decoder needs units = 2 * encoder units. Default false (the Keras example's encoder).
   */
  bidirectional?: boolean;
  /** Stacked recurrent layers; the decoder starts from the top layer's final state. Default 1. */
  numLayers?: number;
  /** Dropout rate on the inputs of every recurrent layer while training. Default 0. */
  dropout?: number;
  /**
   * Treat id 0 as padding: recurrent layers skip it (the final state is the one after the last
   * real token) and attention ignores it. Default true, the package-wide padding convention;
   * `kerasExampleConfig` turns it off to match the Keras example exactly.
   */
  maskZero?: boolean;
  /** Seed of the weight initializers; unset: random. */
  seed?: number;
}

export interface DecoderConfig extends GateConfig {
  /** 'recurrent', the default. */
  kind?: 'recurrent';
  /** Target vocabulary size, padding id 0 included. */
  vocabSize: number;
  /** Size of a token's embedding vector. */
  embeddingDim: number;
  /** Size of the recurrent state; must equal the encoder's state size. */
  units: number;
  /** Recurrent cell; must be the encoder's, so that its final state fits. */
  cell: CellKind;
  /**
   * Attention over the encoder outputs (Luong et al. 2015, "global attention": the recurrent
   * output h_t attends, then tanh(W_c [c_t; h_t]) feeds the output layer). Default 'none': the
   * output layer reads h_t directly, as the Keras example does.
   */
  attention?: DecoderAttention;
  /** Hidden size of the 'additive' scoring MLP. Default: units (Bahdanau et al. 2015). */
  attentionUnits?: number;
  /** Seed of the weight initializers; unset: random. */
  seed?: number;
}

export interface Seq2SeqConfig {
  encoder: EncoderConfig | TransformerEncoderConfig;
  decoder: DecoderConfig | TransformerDecoderConfig;
  /** Default 'adam' (Kingma & Ba 2015): converges fastest on the small tasks of the notebooks. */
  optimizer?: OptimizerName;
  /**
   * Default 0.001, the Keras default of each optimizer (sgd: 0.01). The rate of every update
   * unless `learningRateSchedule` sets it.
   */
  learningRate?: number;
  /**
   * The rate per optimizer update: `{ kind: 'constant' }` (default: `learningRate` throughout) or
   * `{ kind: 'warmup', warmupSteps, dModel, factor? }`, the Transformer's warm-up and decay
   * (Vaswani et al. 2017, eq. 3; see train/learning-rate-schedule.ts), which replaces
   * `learningRate`.
   */
  learningRateSchedule?: LearningRateSchedule;
  /** Adam's beta1, beta2, epsilon (used with optimizer 'adam'). Default Keras': 0.9, 0.999, 1e-7. */
  adam?: AdamConfig;
  /**
   * Label smoothing eps of the training loss, in [0, 1): the target is (1 - eps) onehot + eps /
   * vocabSize (Szegedy et al. 2016; Vaswani et al. 2017 use 0.1). Default 0: plain cross-entropy.
   */
  labelSmoothing?: number;
}

/** A resolved recurrent config has no `kind` (as before the Transformer), so saves stay the same. */
export type ResolvedEncoderConfig = Required<Omit<EncoderConfig, 'seed' | 'kind'>> & {
  seed?: number;
  kind?: 'recurrent';
};
export type ResolvedDecoderConfig = Required<Omit<DecoderConfig, 'seed' | 'kind'>> & {
  seed?: number;
  kind?: 'recurrent';
};
export interface ResolvedSeq2SeqConfig {
  encoder: ResolvedEncoderConfig | ResolvedTransformerEncoderConfig;
  decoder: ResolvedDecoderConfig | ResolvedTransformerDecoderConfig;
  optimizer: OptimizerName;
  learningRate: number;
  learningRateSchedule: ResolvedLearningRateSchedule;
  adam: Required<AdamConfig>;
  labelSmoothing: number;
}

/** Checks `config` and fills in the defaults; errors name fields as `${prefix}field`. */
export function resolveEncoderConfig(config: EncoderConfig, prefix = ''): ResolvedEncoderConfig {
  checkObject(config, prefix ? prefix.slice(0, -1) : 'config');
  checkRecurrent(config, prefix);
  const resolved: ResolvedEncoderConfig = {
    vocabSize: positiveInt(`${prefix}vocabSize`, config.vocabSize),
    embeddingDim: positiveInt(`${prefix}embeddingDim`, config.embeddingDim),
    units: positiveInt(`${prefix}units`, config.units),
    cell: cellKind(`${prefix}cell`, config.cell),
    bidirectional: bool(`${prefix}bidirectional`, config.bidirectional, false),
    numLayers: positiveInt(`${prefix}numLayers`, config.numLayers ?? 1),
    dropout: rate(`${prefix}dropout`, config.dropout ?? 0),
    maskZero: bool(`${prefix}maskZero`, config.maskZero, true),
    ...resolveGates(config, prefix),
  };
  checkKeys(config, resolved, prefix, ['kind', 'seed']);
  return withSeed(resolved, `${prefix}seed`, config.seed);
}

export function resolveDecoderConfig(config: DecoderConfig, prefix = ''): ResolvedDecoderConfig {
  checkObject(config, prefix ? prefix.slice(0, -1) : 'config');
  checkRecurrent(config, prefix);
  const attention = config.attention ?? 'none';
  if (attention !== 'none' && !isAttentionKind(attention)) {
    throw notOneOf(`${prefix}attention`, attention, ['none', ...ATTENTION_KINDS]);
  }
  const units = positiveInt(`${prefix}units`, config.units);
  const resolved: ResolvedDecoderConfig = {
    vocabSize: positiveInt(`${prefix}vocabSize`, config.vocabSize),
    embeddingDim: positiveInt(`${prefix}embeddingDim`, config.embeddingDim),
    units,
    cell: cellKind(`${prefix}cell`, config.cell),
    attention,
    attentionUnits: positiveInt(`${prefix}attentionUnits`, config.attentionUnits ?? units),
    ...resolveGates(config, prefix),
  };
  checkKeys(config, resolved, prefix, ['kind', 'seed']);
  return withSeed(resolved, `${prefix}seed`, config.seed);
}

export function resolveSeq2SeqConfig(config: Seq2SeqConfig): ResolvedSeq2SeqConfig {
  checkObject(config, 'config');
  const encoder =
    modelKind(config.encoder, 'encoder.') === 'transformer'
      ? resolveTransformerEncoderConfig(config.encoder as TransformerEncoderConfig, 'encoder.')
      : resolveEncoderConfig(config.encoder as EncoderConfig, 'encoder.');
  const decoder =
    modelKind(config.decoder, 'decoder.') === 'transformer'
      ? resolveTransformerDecoderConfig(config.decoder as TransformerDecoderConfig, 'decoder.')
      : resolveDecoderConfig(config.decoder as DecoderConfig, 'decoder.');
  const resolved = {
    encoder,
    decoder,
    ...resolveOptimizer(config.optimizer, config.learningRate),
    learningRateSchedule: resolveLearningRateSchedule(config.learningRateSchedule),
    adam: resolveAdam(config.adam),
    labelSmoothing: rate('labelSmoothing', config.labelSmoothing ?? 0),
  };
  checkKeys(config, resolved, '');
  return resolved;
}

/** Whether a resolved config is a Transformer's (else it is a recurrent one). */
export function isTransformer<R extends { kind?: string }>(
  config: R,
): config is Extract<R, { kind: 'transformer' }> {
  return config.kind === 'transformer';
}

/** A recurrent config's `kind` is absent or 'recurrent' (createSeq2Seq dispatches on it first). */
function checkRecurrent(config: { kind?: unknown }, prefix: string): void {
  if (config.kind !== undefined && config.kind !== 'recurrent') {
    throw invalidArgument(
      `${prefix}kind`,
      config.kind,
      '"recurrent" or absent (this is a recurrent config)',
    );
  }
}

/** The `kind` of an encoder or decoder config, 'recurrent' when absent. */
function modelKind(config: unknown, prefix: string): ModelKind {
  checkObject(config, prefix.slice(0, -1));
  const kind = (config as { kind?: unknown }).kind ?? 'recurrent';
  if (!(MODEL_KINDS as readonly unknown[]).includes(kind)) {
    throw notOneOf(`${prefix}kind`, kind, MODEL_KINDS);
  }
  return kind as ModelKind;
}

/** h (and c) size of the encoder's final state: units, twice that when bidirectional. */
export function encoderStateSize(config: ResolvedEncoderConfig): number {
  return config.units * (config.bidirectional ? 2 : 1);
}

function resolveGates(config: GateConfig, prefix: string): Required<GateConfig> {
  const recurrentActivation = config.recurrentActivation ?? 'sigmoid';
  if (!isGateActivation(recurrentActivation)) {
    throw notOneOf(`${prefix}recurrentActivation`, recurrentActivation, GATE_ACTIVATIONS);
  }
  return { recurrentActivation, resetAfter: bool(`${prefix}resetAfter`, config.resetAfter, true) };
}

function cellKind(name: string, value: unknown): CellKind {
  if (!isCellKind(value)) throw notOneOf(name, value, CELL_KINDS);
  return value;
}
