/**
 * The decoder (d2l-ai's `Decoder`): from the encoder's final state, predicts the target one token
 * at a time. Its layers are built once and wired twice, so both modes share every weight:
 * - teacher-forced: the whole shifted target [batch, tgtLen] in one pass (training);
 * - one step: one token per row [batch, 1] plus the carried state (inference; `stepModel`).
 *
 *   tgtIn [batch, tgtLen] -> Embedding -> recurrent layer (initial state: the encoder's)
 *     -> h [batch, tgtLen, units]
 *   attention 'none':  logits = W_s h + b_s                                    (the Keras example)
 *   attention kind:    c, weights = attention(query h, values encoder outputs, srcMask)
 *                      logits = W_s tanh(W_c [c; h]) + b_s
 *                      (Luong et al. 2015, eq. 5-6: "global attention" without input feeding,
 *                      so the recurrent layer needs no context and runs over tgtLen at once)
 * logits [batch, tgtLen, vocabSize]; a softmax of them is the next-token distribution.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { createAttentionLayer } from '../layers/attention-layer.js';
import type { StepOutput } from '../search/types.js';
import { createRecurrent } from './cells.js';
import {
  type DecoderConfig,
  type ResolvedDecoderConfig,
  resolveDecoderConfig,
  stateCount,
} from './config.js';
import type { EncoderOutputs } from './encoder.js';
import { guardExecutorKwargs } from './executor-kwargs.js';
import { decodeStep, initialState, type RecurrentState } from './step.js';
import { createDense, createEmbedding, SeedSequence } from './stock-layers.js';
import { tidyResult } from './tidy.js';

/** The encoder outputs attention reads. */
export interface DecoderMemory<T = tf.SymbolicTensor> {
  /** [batch, srcLen, units] */
  outputs: T;
  /** [batch, srcLen] float 1/0 */
  srcMask: T;
}

export interface DecoderOutputs<T = tf.SymbolicTensor> {
  /** [batch, tgtLen, vocabSize], before the softmax. */
  logits: T;
  /** The state after the last step: [h] or [h, c], each [batch, units]. */
  states: T[];
  /** [batch, tgtLen, srcLen] attention weights (attention kinds only). */
  attention?: T;
  /** A Transformer's only: each layer's causal self-attention, per head [batch, heads, tgtLen, tgtLen]. */
  selfAttention?: T[];
  /** A Transformer's only: each layer's cross-attention, per head [batch, heads, tgtLen, srcLen]. */
  crossAttention?: T[];
}

/**
 * What a seq2seq model needs of a decoder (d2l-ai's `Decoder`: `init_state`, then one `step` at a
 * time), for any kind: this file's recurrent decoder (state `RecurrentState`) or the Transformer's
 * (transformer-decoder.ts). `C` is its resolved config, `S` its state between steps.
 */
export interface Seq2SeqDecoder<S extends tf.TensorContainer, C> {
  readonly config: C;
  /** Whether `teacherForce` and `step` return attention weights over the source. */
  readonly attends: boolean;
  /**
   * Wires the decoder onto a symbolic tgtIn [batch, tgtLen] and the encoder's symbolic outputs:
   * logits [batch, tgtLen, vocabSize] (for the Keras-equivalent model).
   */
  connect(tgtIn: tf.SymbolicTensor, encoded: EncoderOutputs<tf.SymbolicTensor>): tf.SymbolicTensor;
  /**
   * The teacher-forced pass over tgtIn [batch, tgtLen] int32: logits and (when it attends) the
   * weights. `training` turns dropout on. Unchecked; the caller disposes the result.
   */
  teacherForce(
    tgtIn: tf.Tensor,
    encoded: EncoderOutputs<tf.Tensor>,
    training: boolean,
  ): DecoderOutputs<tf.Tensor>;
  /** The state before the first step; takes over the tensors of `encoded` (or disposes them). */
  initState(encoded: EncoderOutputs<tf.Tensor>): S;
  /**
   * One step (the `StepFn` contract of search/types.ts): tokens int32 [rows] -> logits
   * [rows, vocabSize], the next state, attention [rows, srcLen] when it attends. Reads but never
   * disposes its arguments; every returned tensor is new.
   */
  step(tokens: tf.Tensor1D, state: S): StepOutput<S>;
  /** Frees what the decoder holds besides its weights (a fixed positional table). */
  dispose?(): void;
}

export interface Decoder extends Seq2SeqDecoder<RecurrentState, ResolvedDecoderConfig> {
  readonly config: ResolvedDecoderConfig;
  /** 2 for an LSTM ([h, c]), else 1 ([h]). */
  readonly stateCount: 1 | 2;
  /**
   * Wires the decoder onto a symbolic `tgtIn` [batch, tgtLen] starting from `initialStates`
   * (for a functional model: summary, save); `memory` is required with attention.
   */
  apply(
    tgtIn: tf.SymbolicTensor,
    initialStates: tf.SymbolicTensor[],
    memory?: DecoderMemory,
  ): DecoderOutputs;
  /**
   * Runs the same layers eagerly: teacher-forced over tgtIn [batch, tgtLen], or one step with
   * tgtIn [batch, 1] and the carried state. Unchecked; the caller disposes the result.
   */
  run(
    tgtIn: tf.Tensor,
    initialStates: tf.Tensor[],
    memory?: DecoderMemory<tf.Tensor>,
  ): DecoderOutputs<tf.Tensor>;
}

export function createDecoder(config: DecoderConfig): Decoder {
  return buildDecoder(resolveDecoderConfig(config));
}

/** The decoder of an already resolved config; `seeds` continues a model-wide seed sequence. */
export function buildDecoder(
  config: ResolvedDecoderConfig,
  seeds = new SeedSequence(config.seed),
): Decoder {
  const { units, cell, attention } = config;
  const embedding = createEmbedding(
    'decoder_embedding',
    config.vocabSize,
    config.embeddingDim,
    false, // targets are fed whole; the loss, not the layers, ignores their padding
    seeds,
  );
  const recurrent = createRecurrent(cell, {
    name: `decoder_${cell}`,
    units,
    returnSequences: true,
    dropout: 0,
    seeds,
    recurrentActivation: config.recurrentActivation,
    resetAfter: config.resetAfter,
  });
  const withAttention = attention !== 'none';
  const attend = withAttention
    ? createAttentionLayer({
        name: 'decoder_attention',
        kind: attention,
        ...(attention === 'additive' ? { units: config.attentionUnits } : {}),
        // Only these two kinds have weights; the others take no seed from the sequence.
        ...(attention === 'general' || attention === 'additive' ? { seed: seeds.take() } : {}),
      })
    : undefined;
  const join = tf.layers.concatenate({ name: 'decoder_context_h' });
  // W_c has no bias in Luong et al. 2015, eq. 5.
  const combine = withAttention
    ? createDense('decoder_combine', units, seeds, { activation: 'tanh', useBias: false })
    : undefined;
  const output = createDense('decoder_output', config.vocabSize, seeds);
  // Only recurrent layers read `mask` and `initialState`; see guardExecutorKwargs.
  guardExecutorKwargs(recurrent, false);

  function wire<T extends tf.Tensor | tf.SymbolicTensor>(
    tgtIn: T,
    initialStates: T[],
    memory?: DecoderMemory<T>,
  ): DecoderOutputs<T> {
    const embedded = embedding.apply(tgtIn) as T; // [batch, tgtLen, embeddingDim]
    const [h, ...states] = recurrent.apply(embedded, {
      initialState: initialStates,
    }) as T[]; // h [batch, tgtLen, units]
    if (attend === undefined || combine === undefined) {
      return { logits: applyDense(output, h!), states };
    }
    if (memory === undefined) {
      throw invalidArgument(
        'memory',
        memory,
        'the encoder outputs and srcMask (the decoder attends)',
      );
    }
    // context [batch, tgtLen, units], weights [batch, tgtLen, srcLen]
    const [context, weights] = attend.apply([
      h!,
      memory.outputs,
      memory.srcMask,
    ] as tf.Tensor[]) as T[];
    const joined = join.apply([context!, h!] as tf.Tensor[]) as T; // [batch, tgtLen, 2 * units]
    const hTilde = applyDense(combine, joined); // [batch, tgtLen, units]
    return { logits: applyDense(output, hTilde), states, attention: weights! };
  }

  const decoder: Decoder = {
    config,
    stateCount: stateCount(cell),
    attends: withAttention,
    apply: (tgtIn, initialStates, memory) => wire(tgtIn, initialStates, memory),
    run: (tgtIn, initialStates, memory) => tidyResult(() => wire(tgtIn, initialStates, memory)),
    connect: (tgtIn, encoded) =>
      wire(tgtIn, encoded.states, withAttention ? encoded : undefined).logits,
    teacherForce: (tgtIn, encoded) =>
      decoder.run(tgtIn, encoded.states, withAttention ? encoded : undefined),
    initState: (encoded) => initialState(encoded, withAttention),
    step: (tokens, state) => decodeStep(decoder, tokens, state),
  };
  return decoder;
}

/**
 * A Dense layer on x [batch, tgtLen, d]. Eager tensors go through as [batch * tgtLen, d]: on a
 * rank-3 input TF.js's Dense (tfjs-layers' `dot`) copies its kernel through a Transpose first,
 * and the wasm backend then repacks the fresh copy for XNNPACK at every call (a large part of a
 * decoding step: bench/PERFORMANCE.md). Symbolic tensors (the saved Keras model) keep the rank-3 call.
 */
function applyDense<T extends tf.Tensor | tf.SymbolicTensor>(layer: tf.layers.Layer, x: T): T {
  if (!(x instanceof tf.Tensor)) return layer.apply(x) as T;
  const [batch, tgtLen, d] = x.shape as [number, number, number];
  const y = layer.apply(tf.reshape(x, [batch * tgtLen, d])) as tf.Tensor2D; // [batch * tgtLen, n]
  return tf.reshape(y, [batch, tgtLen, y.shape[1]]) as tf.Tensor as T; // [batch, tgtLen, n]
}
