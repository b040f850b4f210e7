/**
 * The Transformer encoder (Vaswani et al. 2017, section 3.1), with the recurrent encoder's
 * contract (`Encoder`): token ids -> every position's output and the padding mask.
 *
 *   src [batch, srcLen] -> E[src] * sqrt(dModel) + positions, dropout      (TransformerEmbeddingLayer)
 *     -> encoder layer x numLayers (self-attention over the real tokens, feed-forward)
 *     -> LayerNorm (pre-norm only: the residual sum of the last layer is not normalized otherwise)
 *   outputs [batch, srcLen, dModel]; states: none (a Transformer has no final state);
 *   srcMask [batch, srcLen] 1 for a real token, 0 for padding (id 0)
 *
 * The layers are built once, in the Keras-equivalent model (`apply`), and run eagerly with the
 * same weights (`run`) through the functions of transformer-blocks.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { SourceMaskLayer } from '../layers/source-mask-layer.js';
import { TransformerEmbeddingLayer } from '../layers/transformer-embedding-layer.js';
import { TransformerEncoderLayer } from '../layers/transformer-encoder-layer.js';
import type { Encoder, EncoderOutputs } from './encoder.js';
import { applyFinalNorm } from './final-norm.js';
import { type TokenInput, toTokenTensor } from './inputs.js';
import { SeedSequence, tokenInput } from './stock-layers.js';
import { tidyResult } from './tidy.js';
import { encoderLayer, LAYER_NORM_EPSILON } from './transformer-blocks.js';
import type { ResolvedTransformerEncoderConfig } from './transformer-config.js';

export interface TransformerEncoder extends Encoder<ResolvedTransformerEncoderConfig> {
  readonly embedding: TransformerEmbeddingLayer;
  readonly layers: readonly TransformerEncoderLayer[];
}

/** Seeds one block layer takes: one per weight matrix (4 attention, 2 feed-forward). */
export const ENCODER_LAYER_SEEDS = 6;

/** The Transformer encoder of a resolved config; `seeds` continues a model-wide seed sequence. */
export function buildTransformerEncoder(
  config: ResolvedTransformerEncoderConfig,
  seeds = new SeedSequence(config.seed),
): TransformerEncoder {
  const { dModel, numHeads, ffDim, dropout, norm, numLayers } = config;
  const embedding = new TransformerEmbeddingLayer({
    name: 'encoder_embedding',
    vocabSize: config.vocabSize,
    dModel,
    maxLength: config.maxLength,
    positional: config.positional,
    dropout,
    seed: seeds.take(2),
  });
  const layers = Array.from(
    { length: numLayers },
    (_, i) =>
      new TransformerEncoderLayer({
        name: `encoder_layer_${i + 1}`,
        numHeads,
        ffDim,
        dropout,
        norm,
        seed: seeds.take(ENCODER_LAYER_SEEDS),
      }),
  );
  const finalNorm =
    norm === 'pre'
      ? tf.layers.layerNormalization({ name: 'encoder_norm', epsilon: LAYER_NORM_EPSILON })
      : undefined;
  const sourceMask = new SourceMaskLayer({ name: 'source_mask', maskZero: true });

  function apply(src: tf.SymbolicTensor): EncoderOutputs<tf.SymbolicTensor> {
    const srcMask = sourceMask.apply(src) as tf.SymbolicTensor; // [batch, srcLen]
    let x = embedding.apply(src) as tf.SymbolicTensor; // [batch, srcLen, dModel]
    for (const layer of layers) x = layer.apply([x, srcMask]) as tf.SymbolicTensor;
    if (finalNorm) x = finalNorm.apply(x) as tf.SymbolicTensor;
    return { outputs: x, states: [], srcMask };
  }
  let model: tf.LayersModel | undefined;
  tf.tidy(() => {
    const input = tokenInput('encoder_src');
    const wired = apply(input);
    model = tf.model({ name: 'encoder', inputs: input, outputs: [wired.outputs, wired.srcMask] });
  });

  return {
    config,
    stateSize: dModel,
    embedding,
    layers,
    apply,
    model: model!,
    run(src, training = false) {
      return tidyResult(() => {
        const srcMask = tf.cast(tf.notEqual(src, 0), 'float32'); // [batch, srcLen]
        let x = embedding.embed(src, 0, training, 'src'); // [batch, srcLen, dModel]
        const selfAttention: tf.Tensor[] = [];
        for (const layer of layers) {
          const out = encoderLayer(x, srcMask, layer.params(), layer.options(training));
          x = out.output;
          selfAttention.push(out.weights); // [batch, heads, srcLen, srcLen]
        }
        const outputs = finalNorm ? applyFinalNorm(finalNorm, x) : x;
        return { outputs, states: [], srcMask, selfAttention };
      });
    },
    encode(input: TokenInput) {
      const { tensor, owned } = toTokenTensor('src', input, config.vocabSize);
      try {
        const { selfAttention, ...encoded } = this.run(tensor, false);
        tf.dispose(selfAttention);
        return encoded;
      } finally {
        if (owned) tensor.dispose();
      }
    },
    dispose() {
      embedding.disposeTable();
    },
  };
}
