/**
 * The stock TF.js layers a seq2seq model is made of (embedding, recurrent, dense), created with
 * seeded Keras-default initializers so that a seeded model starts from the same weights on every
 * run. The layer objects are built once and wired into several functional models, which then
 * share their weights (see `seq2seq.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { FusedGru } from '../layers/fused-gru.js';
import { FusedLstm } from '../layers/fused-lstm.js';
import { FusedSimpleRnn } from '../layers/fused-simple-rnn.js';
import type { CellKind, GateConfig } from './config.js';

/**
 * Hands out initializer seeds: seed, seed + 1, ... in creation order, or undefined (random) for
 * every initializer when no seed was given.
 */
export class SeedSequence {
  private next: number | undefined;
  constructor(seed?: number) {
    this.next = seed;
  }
  take(): number | undefined {
    if (this.next === undefined) return undefined;
    return this.next++;
  }
}

/** Embedding(vocabSize, embeddingDim), Keras' uniform(-0.05, 0.05) initializer. */
export function createEmbedding(
  name: string,
  vocabSize: number,
  embeddingDim: number,
  maskZero: boolean,
  seeds: SeedSequence,
): tf.layers.Layer {
  return tf.layers.embedding({
    name,
    inputDim: vocabSize,
    outputDim: embeddingDim,
    maskZero,
    embeddingsInitializer: tf.initializers.randomUniform({
      minval: -0.05,
      maxval: 0.05,
      seed: seeds.take(),
    }),
  });
}

/** Dense(units) with Glorot-uniform weights (Glorot & Bengio 2010, the Keras default). */
export function createDense(
  name: string,
  units: number,
  seeds: SeedSequence,
  options: { activation?: 'tanh'; useBias?: boolean } = {},
): tf.layers.Layer {
  return tf.layers.dense({
    name,
    units,
    activation: options.activation ?? 'linear',
    useBias: options.useBias ?? true,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.take() }),
  });
}

export interface RecurrentOptions extends Required<GateConfig> {
  name: string;
  units: number;
  returnSequences: boolean;
  dropout: number;
  seeds: SeedSequence;
}

/**
 * One recurrent layer that always returns its final state, so an encoder can hand it on and a
 * decoder can carry it from step to step. Update rules (x_t input, h_t state):
 * - rnn:  h_t = tanh(W x_t + U h_{t-1} + b)                               (Elman 1990)
 * - lstm: [i f g o] = W x_t + U h_{t-1} + b;  c_t = s(f) c_{t-1} + s(i) tanh(g);
 *         h_t = s(o) tanh(c_t)                   (Hochreiter & Schmidhuber 1997; Gers et al. 2000)
 * - gru:  z = s(.), r = s(.) gates; h_t = z h_{t-1} + (1 - z) hh, with resetAfter (Keras 2+,
 *         PyTorch) hh = tanh(W x_t + b + r (U h_{t-1} + b_r)), else hh = tanh(W x_t + U (r h_{t-1}) + b)
 *         (Cho et al. 2014)
 * s: the gate activation, the logistic sigmoid unless `recurrentActivation` says 'hardSigmoid'.
 * W: Glorot uniform, U: orthogonal (Saxe et al. 2014), b: zeros with the LSTM forget gate's at 1
 * (Jozefowicz et al. 2015); all Keras defaults. The layers are the fused ones (layers/fused-*.ts):
 * the stock classes with the whole sequence run as one op, same weights and results, about 2x
 * faster per layer forward and backward (bench/train-decode.bench.mjs).
 */
export function createRecurrent(cell: CellKind, options: RecurrentOptions): tf.layers.RNN {
  const { seeds } = options;
  const args = {
    name: options.name,
    units: options.units,
    returnSequences: options.returnSequences,
    returnState: true,
    dropout: options.dropout,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.take() }),
    recurrentInitializer: tf.initializers.orthogonal({ gain: 1, seed: seeds.take() }),
  };
  const gates = { ...args, recurrentActivation: options.recurrentActivation };
  if (cell === 'lstm') return new FusedLstm({ ...gates, unitForgetBias: true });
  if (cell === 'gru') return new FusedGru({ ...gates, resetAfter: options.resetAfter });
  return new FusedSimpleRnn(args);
}

/** A symbolic input of token ids [batch, null]. */
export function tokenInput(name: string): tf.SymbolicTensor {
  return tf.input({ name, shape: [null], dtype: 'int32' });
}

/**
 * Works around TF.js 4.22's graph executor (tfjs-layers/src/engine/executor.ts), which passes ONE kwargs object
 * to every layer of a functional model it runs: an RNN writes its initialState into it and the
 * executor writes each masked layer's mask into it, so both reach every later layer (a
 * re-run of the encoder RNN throws, the decoder RNN is masked with the source mask). The
 * executor always passes a layer's inputs as an array, and states arrive inside that array, so
 * for array inputs a stale `initialState` is dropped, and a stale `mask` too unless `keepMask`
 * (the encoder's recurrent layers, whose own input carries the mask the executor just set).
 * Direct calls with a single tensor, as the eager code makes them, pass through unchanged.
 */
export function guardExecutorKwargs(layer: tf.layers.Layer, keepMask: boolean): void {
  const apply = layer.apply.bind(layer);
  layer.apply = (inputs, kwargs) => {
    if (!Array.isArray(inputs) || kwargs == null) return apply(inputs, kwargs);
    const { initialState: _stale, mask, ...rest } = kwargs;
    return apply(inputs, keepMask && mask !== undefined ? { ...rest, mask } : rest);
  };
}
