/**
 * The configuration of the Transformer encoder and decoder (Vaswani et al. 2017): `kind:
 * 'transformer'` beside the recurrent configs of config.ts, the defaults with the reason for each,
 * and the checks that name the field of a bad value.
 *
 * Sizes, in the glossary's words: dModel is the width of every token's vector between the layers,
 * numHeads the heads of each attention (each of dModel / numHeads features, the paper's
 * d_k = d_v = d_model / h), ffDim the hidden width of the position-wise feed-forward network.
 */
import { positiveInt } from '../checks.js';
import { invalidArgument, notOneOf } from '../errors.js';
import {
  isPositionalEncoding,
  POSITIONAL_ENCODINGS,
  type PositionalEncoding,
} from '../layers/positional-encoding-layer.js';
import { bool, checkKeys, checkObject, rate, withSeed } from './config-checks.js';

/**
 * Where each sub-layer's LayerNorm sits (Ba et al. 2016):
 * - `pre`: x + Sublayer(LayerNorm(x)), and one LayerNorm after the last layer (GPT-2, nanoGPT,
 *   T5). The residual path stays an identity, so gradients reach the first layers unscaled and
 *   training is stable without a learning-rate warm-up (Xiong et al. 2020).
 * - `post`: LayerNorm(x + Sublayer(x)), the paper's section 3.1; it usually needs the warm-up
 *   schedule of its section 5.3 to train.
 */
export const NORM_PLACEMENTS = ['pre', 'post'] as const;
export type NormPlacement = (typeof NORM_PLACEMENTS)[number];

/** What the Transformer encoder and decoder share. */
export interface TransformerSizes {
  kind: 'transformer';
  /** Vocabulary size, padding id 0 included. */
  vocabSize: number;
  /** Width of every token's vector between the layers (d_model; the paper's base model: 512). */
  dModel: number;
  /**
   * Attention heads per attention; must divide dModel. Default 4: each head keeps dModel / 4
   * features, enough for the small models this package trains (the paper: 8 heads of 64).
   */
  numHeads?: number;
  /** Stacked layers (N). Default 2: the paper uses 6; the small tasks of this package learn with 2. */
  numLayers?: number;
  /** Hidden width of the position-wise feed-forward network. Default 4 * dModel (the paper: 2048 = 4 * 512). */
  ffDim?: number;
  /**
   * Dropout rate on the embeddings and on every sub-layer's output while training (the paper's
   * P_drop, section 5.4). Default 0.1, the paper's.
   */
  dropout?: number;
  /**
   * The most positions a sequence may have (the decoder: the start token included). Sets the rows
   * of the positional table. Default 512.
   */
  maxLength?: number;
  /**
   * 'sinusoidal' (default): the fixed encodings of the paper's section 3.5, no weights; or
   * 'learned': a trained table [maxLength, dModel] (BERT, GPT-2).
   */
  positional?: PositionalEncoding;
  /** Where LayerNorm sits; see `NORM_PLACEMENTS`. Default 'pre' (trains without warm-up). */
  norm?: NormPlacement;
  /** Seed of the weight initializers; unset: random. */
  seed?: number;
}

/** A Transformer encoder: embedding + positions, then numLayers x (self-attention, feed-forward). */
export type TransformerEncoderConfig = TransformerSizes;

/**
 * A Transformer decoder: embedding + positions, then numLayers x (causal self-attention,
 * cross-attention over the encoder outputs, feed-forward), then the output projection.
 */
export interface TransformerDecoderConfig extends TransformerSizes {
  /**
   * Use the target embedding matrix, transposed, as the output projection (Press & Wolf 2017; the
   * paper's section 3.4): one weight [vocabSize, dModel] instead of two. Default false, so that
   * the output layer has its own weights and bias as in the recurrent decoders.
   */
  tieEmbeddings?: boolean;
}

export type ResolvedTransformerEncoderConfig = Required<Omit<TransformerEncoderConfig, 'seed'>> & {
  seed?: number;
};
export type ResolvedTransformerDecoderConfig = Required<Omit<TransformerDecoderConfig, 'seed'>> & {
  seed?: number;
};

export function isNormPlacement(x: unknown): x is NormPlacement {
  return typeof x === 'string' && (NORM_PLACEMENTS as readonly string[]).includes(x);
}

/** Checks a Transformer encoder config and fills in the defaults; errors name `${prefix}field`. */
export function resolveTransformerEncoderConfig(
  config: TransformerEncoderConfig,
  prefix = '',
): ResolvedTransformerEncoderConfig {
  checkObject(config, prefix ? prefix.slice(0, -1) : 'config');
  const resolved = resolveSizes(config, prefix);
  checkKeys(config, resolved, prefix, ['seed']);
  return withSeed(resolved, `${prefix}seed`, config.seed);
}

/** Checks a Transformer decoder config and fills in the defaults; errors name `${prefix}field`. */
export function resolveTransformerDecoderConfig(
  config: TransformerDecoderConfig,
  prefix = '',
): ResolvedTransformerDecoderConfig {
  checkObject(config, prefix ? prefix.slice(0, -1) : 'config');
  const resolved = {
    ...resolveSizes(config, prefix),
    tieEmbeddings: bool(`${prefix}tieEmbeddings`, config.tieEmbeddings, false),
  };
  checkKeys(config, resolved, prefix, ['seed']);
  return withSeed(resolved, `${prefix}seed`, config.seed);
}

function resolveSizes(
  config: TransformerSizes,
  prefix: string,
): Required<Omit<TransformerSizes, 'seed'>> {
  const dModel = positiveInt(`${prefix}dModel`, config.dModel);
  const numHeads = positiveInt(`${prefix}numHeads`, config.numHeads ?? 4);
  if (dModel % numHeads !== 0) {
    throw invalidArgument(
      `${prefix}numHeads`,
      numHeads,
      `a divisor of dModel ${dModel} (each head gets dModel / numHeads features)`,
    );
  }
  const positional = config.positional ?? 'sinusoidal';
  if (!isPositionalEncoding(positional)) {
    throw notOneOf(`${prefix}positional`, positional, POSITIONAL_ENCODINGS);
  }
  const norm = config.norm ?? 'pre';
  if (!isNormPlacement(norm)) throw notOneOf(`${prefix}norm`, norm, NORM_PLACEMENTS);
  return {
    kind: 'transformer',
    vocabSize: positiveInt(`${prefix}vocabSize`, config.vocabSize),
    dModel,
    numHeads,
    numLayers: positiveInt(`${prefix}numLayers`, config.numLayers ?? 2),
    ffDim: positiveInt(`${prefix}ffDim`, config.ffDim ?? 4 * dModel),
    dropout: rate(`${prefix}dropout`, config.dropout ?? 0.1),
    maxLength: positiveInt(`${prefix}maxLength`, config.maxLength ?? 512),
    positional,
    norm,
  };
}
