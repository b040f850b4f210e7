/**
 * The Transformer decoder (Vaswani et al. 2017, section 3.1) with the decoder contract of
 * `Seq2SeqDecoder`: teacher-forced over the whole target at once, or one token per step over a
 * key/value cache.
 *
 *   tgtIn [batch, tgtLen] -> E[tgtIn] * sqrt(dModel) + positions, dropout
 *     -> decoder layer x numLayers (causal self-attention, cross-attention over the encoder
 *        outputs, feed-forward) -> LayerNorm (pre-norm only) -> output projection
 *        (a Dense layer, or E^T when tieEmbeddings) -> logits [batch, tgtLen, vocabSize]
 *
 * Step decoding (`initState`, then `step` per token), so that no step recomputes the prefix:
 *   initState: the cross-attention keys and values of every layer, projected once from the
 *              encoder outputs, [rows, heads, srcLen, dk]; no self-attention cache yet.
 *   step:      embeds each row's token at position t (t = the cache's length), runs every layer
 *              for that one position (its query against the cached keys and values plus its own),
 *              appends its key and value to the layer's cache, and returns the logits
 *              [rows, vocabSize] and the last layer's cross-attention averaged over the heads
 *              [rows, srcLen]. Every state tensor is rows-first, so beam search reorders the
 *              caches by gathering axis 0 (Hugging Face's `_reorder_cache`).
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../attention/scores.js';
import { invalidArgument } from '../errors.js';
import { TransformerDecoderLayer } from '../layers/transformer-decoder-layer.js';
import { TransformerEmbeddingLayer } from '../layers/transformer-embedding-layer.js';
import { checkRows } from '../search/state.js';
import type { StepOutput } from '../search/types.js';
import type { DecoderOutputs, Seq2SeqDecoder } from './decoder.js';
import { applyFinalNorm } from './final-norm.js';
import { checkTokens } from './step.js';
import { createDense, SeedSequence } from './stock-layers.js';
import { tidyResult } from './tidy.js';
import {
  decoderLayer,
  type KeyValues,
  LAYER_NORM_EPSILON,
  projectKeyValues,
} from './transformer-blocks.js';
import type { ResolvedTransformerDecoderConfig } from './transformer-config.js';

/** One decoder layer's part of the state; every tensor [rows, heads, positions, dk]. */
export type TransformerLayerState = {
  /** Cross-attention keys and values of the encoder outputs, projected once. */
  crossK: tf.Tensor4D;
  crossV: tf.Tensor4D;
  /** Self-attention keys and values of the positions decoded so far (absent before the first step). */
  selfK?: tf.Tensor4D;
  selfV?: tf.Tensor4D;
};

/** The Transformer decoder's state between steps. */
export type TransformerState = {
  /** [rows, srcLen] 1 for a real source token, 0 for padding. */
  srcMask: tf.Tensor2D;
  /** One entry per decoder layer. */
  layers: TransformerLayerState[];
};

export interface TransformerDecoder
  extends Seq2SeqDecoder<TransformerState, ResolvedTransformerDecoderConfig> {
  readonly embedding: TransformerEmbeddingLayer;
  readonly layers: readonly TransformerDecoderLayer[];
}

/** Seeds one block layer takes: one per weight matrix (4 + 4 attention, 2 feed-forward). */
export const DECODER_LAYER_SEEDS = 10;

/** The Transformer decoder of a resolved config; `seeds` continues a model-wide seed sequence. */
export function buildTransformerDecoder(
  config: ResolvedTransformerDecoderConfig,
  seeds = new SeedSequence(config.seed),
): TransformerDecoder {
  const { dModel, numHeads, ffDim, dropout, norm, numLayers, vocabSize } = config;
  const embedding = new TransformerEmbeddingLayer({
    name: 'decoder_embedding',
    vocabSize,
    dModel,
    maxLength: config.maxLength,
    positional: config.positional,
    dropout,
    seed: seeds.take(2),
  });
  const layers = Array.from(
    { length: numLayers },
    (_, i) =>
      new TransformerDecoderLayer({
        name: `decoder_layer_${i + 1}`,
        numHeads,
        ffDim,
        dropout,
        norm,
        seed: seeds.take(DECODER_LAYER_SEEDS),
      }),
  );
  const finalNorm =
    norm === 'pre'
      ? tf.layers.layerNormalization({ name: 'decoder_norm', epsilon: LAYER_NORM_EPSILON })
      : undefined;
  const output = config.tieEmbeddings ? undefined : createDense('decoder_output', vocabSize, seeds);

  /** x [batch, len, dModel] -> logits [batch, len, vocabSize], eagerly. */
  function project(x: tf.Tensor3D): tf.Tensor3D {
    const y = finalNorm ? applyFinalNorm(finalNorm, x) : x;
    if (output === undefined) return embedding.logits(y);
    const [kernel, bias] = output.getWeights(); // [dModel, vocabSize], [vocabSize]
    return linear(y, kernel!, bias);
  }

  /** Runs every layer on the len positions y after `past` cached ones (see `decoderLayer`). */
  function runLayers(
    y: tf.Tensor3D,
    caches: (KeyValues | undefined)[],
    memories: KeyValues[],
    srcMask: tf.Tensor,
    training: boolean,
  ) {
    const selfAttention: tf.Tensor4D[] = [];
    const crossAttention: tf.Tensor4D[] = [];
    const nextCaches: KeyValues[] = [];
    layers.forEach((layer, i) => {
      const options = layer.options(training);
      const out = decoderLayer(y, caches[i], memories[i]!, srcMask, layer.params(), options);
      y = out.output;
      nextCaches.push(out.cache);
      selfAttention.push(out.selfWeights);
      crossAttention.push(out.crossWeights);
    });
    return { y, nextCaches, selfAttention, crossAttention };
  }

  /** The cross-attention keys and values of every layer, from the encoder outputs. */
  function memoriesOf(outputs: tf.Tensor): KeyValues[] {
    return layers.map((layer) =>
      projectKeyValues(outputs as tf.Tensor3D, layer.params().crossAttention, numHeads),
    );
  }

  return {
    config,
    attends: true,
    embedding,
    layers,
    connect(tgtIn, encoded) {
      let y = embedding.apply(tgtIn) as tf.SymbolicTensor; // [batch, tgtLen, dModel]
      for (const layer of layers) {
        y = layer.apply([y, encoded.outputs, encoded.srcMask]) as tf.SymbolicTensor;
      }
      if (finalNorm) y = finalNorm.apply(y) as tf.SymbolicTensor;
      // Tied: the embedding layer's second use, x E^T (see TransformerEmbeddingLayer).
      return (output ?? embedding).apply(y) as tf.SymbolicTensor; // [batch, tgtLen, vocabSize]
    },
    teacherForce(tgtIn, encoded, training) {
      return tidyResult((): DecoderOutputs<tf.Tensor> => {
        const y = embedding.embed(tgtIn, 0, training, 'tgtIn'); // [batch, tgtLen, dModel]
        const memories = memoriesOf(encoded.outputs);
        const run = runLayers(y, [], memories, encoded.srcMask, training);
        const last = run.crossAttention.at(-1)!; // [batch, heads, tgtLen, srcLen]
        return {
          logits: project(run.y),
          states: [],
          attention: tf.mean(last, 1), // [batch, tgtLen, srcLen]
          selfAttention: run.selfAttention,
          crossAttention: run.crossAttention,
        };
      });
    },
    initState(encoded) {
      const state = tidyResult(
        (): TransformerState => ({
          srcMask: tf.clone(encoded.srcMask) as tf.Tensor2D,
          layers: memoriesOf(encoded.outputs).map(({ k, v }) => ({ crossK: k, crossV: v })),
        }),
      );
      tf.dispose([
        encoded.outputs,
        encoded.srcMask,
        ...encoded.states,
        ...(encoded.selfAttention ?? []),
      ]);
      return state;
    },
    step(tokens, state) {
      checkTokens(tokens);
      const rows = tokens.shape[0];
      if (!Array.isArray(state?.layers) || state.layers.length !== numLayers) {
        throw invalidArgument(
          'state.layers',
          state?.layers,
          `a list of ${numLayers} layer states (initState's)`,
        );
      }
      checkRows(state, rows, 'state');
      const past = state.layers[0]!.selfK?.shape[2] ?? 0; // positions decoded so far
      return tidyResult((): StepOutput<TransformerState> => {
        const ids = tf.reshape(tokens, [rows, 1]); // [rows, 1]
        const y = embedding.embed(ids, past, false, 'decodeStep position'); // [rows, 1, dModel]
        const caches = state.layers.map((l) =>
          l.selfK && l.selfV ? { k: l.selfK, v: l.selfV } : undefined,
        );
        const memories = state.layers.map((l) => ({ k: l.crossK, v: l.crossV }));
        const run = runLayers(y, caches, memories, state.srcMask, false);
        const next: TransformerState = {
          // New handles on the same data: the caller may dispose the state it passed in.
          srcMask: tf.clone(state.srcMask),
          layers: run.nextCaches.map((cache, i) => ({
            crossK: tf.clone(memories[i]!.k),
            crossV: tf.clone(memories[i]!.v),
            selfK: cache.k, // [rows, heads, past + 1, dk]
            selfV: cache.v,
          })),
        };
        const last = run.crossAttention.at(-1)!; // [rows, heads, 1, srcLen]
        return {
          logits: tf.reshape(project(run.y), [rows, vocabSize]) as tf.Tensor2D,
          state: next,
          attention: tf.reshape(tf.mean(last, 1), [rows, -1]) as tf.Tensor2D, // [rows, srcLen]
        };
      });
    },
    dispose() {
      embedding.disposeTable();
    },
  };
}
