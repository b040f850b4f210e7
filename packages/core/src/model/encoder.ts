/**
 * The encoder (d2l-ai's `Encoder.encode(src)`): token ids -> every time step's output and the
 * final state, which starts the decoder.
 *
 *   src [batch, srcLen] -> Embedding -> recurrent layer x numLayers (each optionally bidirectional)
 *     outputs [batch, srcLen, stateSize]   every step of the top layer (attention reads these)
 *     states  [h] or [h, c], each [batch, stateSize], the top layer's final state
 *     srcMask [batch, srcLen]              1 for a real token, 0 for padding
 *
 * stateSize = units, or 2 * units when bidirectional: both directions' outputs and final states
 * are concatenated [forward; backward] (Bahdanau et al. 2015, section 3.2, concatenate the
 * annotations). A decoder therefore starts from the concatenated state and has 2 * units units.
 * With maskZero, recurrent layers skip padding, so the final state is the one after the last real
 * token (the backward direction's after the first one), wherever the padding is.
 */
import * as tf from '@tensorflow/tfjs';
import { SourceMaskLayer } from '../layers/source-mask-layer.js';
import { createRecurrent } from './cells.js';
import {
  type EncoderConfig,
  encoderStateSize,
  type ResolvedEncoderConfig,
  resolveEncoderConfig,
  stateCount,
} from './config.js';
import { guardExecutorKwargs } from './executor-kwargs.js';
import { type TokenInput, toTokenTensor } from './inputs.js';
import { createEmbedding, SeedSequence, tokenInput } from './stock-layers.js';
import { tidyResult } from './tidy.js';

/** What the encoder hands on; T is tf.SymbolicTensor while wiring, tf.Tensor when run. */
export interface EncoderOutputs<T> {
  /** [batch, srcLen, stateSize]: the top layer's output at every source step. */
  outputs: T;
  /** The top layer's final state: [h] or, for an LSTM, [h, c]; each [batch, stateSize]. */
  states: T[];
  /** [batch, srcLen], float 1 for a real token and 0 for padding (all ones without maskZero). */
  srcMask: T;
  /**
   * A Transformer encoder's `run` only: each layer's self-attention weights, per head,
   * [batch, heads, srcLen, srcLen].
   */
  selfAttention?: T[];
}

/**
 * An encoder (d2l-ai's `Encoder`): the recurrent one of this file, or the Transformer's
 * (transformer-encoder.ts), whose config `C` it carries.
 */
export interface Encoder<C = ResolvedEncoderConfig> {
  readonly config: C;
  /**
   * Features of each output (and state): units, 2 * units when bidirectional; a Transformer's
   * dModel.
   */
  readonly stateSize: number;
  /**
   * Wires the encoder's layers onto a symbolic `src` (for a functional model: summary, save);
   * padding reaches the recurrent layers as the Embedding's Keras mask.
   */
  apply(src: tf.SymbolicTensor): EncoderOutputs<tf.SymbolicTensor>;
  /**
   * Runs the same layers eagerly on int32 ids [batch, srcLen], the mask passed explicitly;
   * `training` turns dropout on. Unchecked: `encode` is the checked entry.
   */
  run(src: tf.Tensor, training?: boolean): EncoderOutputs<tf.Tensor>;
  /** src -> [outputs, srcMask, ...states] as a functional model: weights, summary, countParams. */
  readonly model: tf.LayersModel;
  /** Runs the encoder on token ids [batch, srcLen]; the caller disposes the result. */
  encode(src: TokenInput): EncoderOutputs<tf.Tensor>;
  /** Frees what the encoder holds besides its model's weights (a fixed positional table). */
  dispose?(): void;
}

export function createEncoder(config: EncoderConfig): Encoder {
  return buildEncoder(resolveEncoderConfig(config));
}

/** The encoder of an already resolved config; `seeds` continues a model-wide seed sequence. */
export function buildEncoder(
  config: ResolvedEncoderConfig,
  seeds = new SeedSequence(config.seed),
): Encoder {
  const { cell, units, numLayers, bidirectional, maskZero } = config;
  const embedding = createEmbedding(
    'encoder_embedding',
    config.vocabSize,
    config.embeddingDim,
    maskZero,
    seeds,
  );
  const recurrent = Array.from({ length: numLayers }, (_, i) => {
    const name = `encoder_${cell}${numLayers > 1 ? `_${i + 1}` : ''}`;
    const layer = createRecurrent(cell, {
      name,
      units,
      returnSequences: true,
      dropout: config.dropout,
      seeds,
      recurrentActivation: config.recurrentActivation,
      resetAfter: config.resetAfter,
    });
    const outer = bidirectional
      ? tf.layers.bidirectional({ name: `${name}_bidirectional`, layer, mergeMode: 'concat' })
      : layer;
    guardExecutorKwargs(outer, true);
    return outer;
  });
  const sourceMask = new SourceMaskLayer({ name: 'source_mask', maskZero });
  const joinStates = Array.from({ length: stateCount(cell) }, (_, i) =>
    tf.layers.concatenate({ name: `encoder_state_${i === 0 ? 'h' : 'c'}` }),
  );

  /** Steps shared by both modes; `kwargs` carries the explicit mask when running eagerly. */
  function wire<T extends tf.Tensor | tf.SymbolicTensor>(
    src: T,
    kwargs: { training?: boolean; mask?: tf.Tensor },
  ): { outputs: T; states: T[] } {
    let x = embedding.apply(src) as T; // [batch, srcLen, embeddingDim]
    let states: T[] = [];
    for (const layer of recurrent) {
      // [output [batch, srcLen, stateSize], ...forward states, ...backward states]
      const [output, ...finals] = layer.apply(x, kwargs) as T[];
      x = output!;
      states = finals;
    }
    if (bidirectional) {
      // Forward and backward state i, each [batch, units] -> [batch, 2 * units].
      states = joinStates.map(
        (join, i) => join.apply([states[i]!, states[joinStates.length + i]!] as tf.Tensor[]) as T,
      );
    }
    return { outputs: x, states };
  }

  function apply(src: tf.SymbolicTensor): EncoderOutputs<tf.SymbolicTensor> {
    return { ...wire(src, {}), srcMask: sourceMask.apply(src) as tf.SymbolicTensor };
  }
  // Wiring builds the layers; tidy frees the temporaries TF.js's initializers leave behind.
  let model: tf.LayersModel | undefined;
  tf.tidy(() => {
    const input = tokenInput('encoder_src');
    const wired = apply(input);
    model = tf.model({
      name: 'encoder',
      inputs: input,
      outputs: [wired.outputs, wired.srcMask, ...wired.states],
    });
  });

  return {
    config,
    stateSize: encoderStateSize(config),
    apply,
    model: model!,
    run(src, training = false) {
      return tidyResult(() => {
        const mask = maskZero ? tf.notEqual(src, 0) : undefined; // [batch, srcLen] bool
        const { outputs, states } = wire(src, { training, ...(mask ? { mask } : {}) });
        const srcMask = mask ? tf.cast(mask, 'float32') : tf.onesLike(src).toFloat();
        return { outputs, states, srcMask };
      });
    },
    encode(input) {
      const { tensor, owned } = toTokenTensor('src', input, config.vocabSize);
      try {
        return this.run(tensor, false);
      } finally {
        if (owned) tensor.dispose();
      }
    },
  };
}
