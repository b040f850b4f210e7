/**
 * The encoder and decoder of a seq2seq config, of either kind, checked to fit together:
 *
 *   encoder      decoder      how the decoder uses the encoder
 *   recurrent    recurrent    starts from its final state (same cell and size), attends to its outputs
 *   transformer  transformer  cross-attends to its outputs (same dModel)
 *   recurrent    transformer  cross-attends to its outputs (keys and values project their width)
 *   transformer  recurrent    not supported: a recurrent decoder starts from the encoder's final
 *                             state, and a Transformer encoder has none
 *
 * One seed sequence runs through both halves, so a seeded model starts from the same weights.
 */
import type * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import {
  encoderStateSize,
  isTransformer,
  type ResolvedDecoderConfig,
  type ResolvedEncoderConfig,
  type ResolvedSeq2SeqConfig,
} from './config.js';
import { buildDecoder, type Decoder } from './decoder.js';
import { buildEncoder, type Encoder } from './encoder.js';
import type { RecurrentState } from './step.js';
import { SeedSequence } from './stock-layers.js';
import {
  buildTransformerDecoder,
  type TransformerDecoder,
  type TransformerState,
} from './transformer-decoder.js';
import { buildTransformerEncoder, type TransformerEncoder } from './transformer-encoder.js';

/** The encoder of a seq2seq model: recurrent, or a Transformer's (with its layers, to inspect). */
export type Seq2SeqEncoder = Encoder | TransformerEncoder;
/** The decoder of a seq2seq model: recurrent, or a Transformer's (with its layers, to inspect). */
export type AnyDecoder = Decoder | TransformerDecoder;

/**
 * The decoder state between steps: a recurrent decoder's ([h, c], and the encoder outputs when
 * it attends) or a Transformer decoder's (per layer, the cross-attention keys and values and the
 * self-attention cache). Every tensor has one row per hypothesis on axis 0.
 */
export type Seq2SeqState = RecurrentState | TransformerState;

/** What `forward` returns; the caller disposes it. */
export interface ForwardResult {
  /** [batch, tgtLen, vocabSize], before the softmax. */
  logits: tf.Tensor3D;
  /** [batch, tgtLen, srcLen]: attention kinds, and a Transformer's last cross-attention averaged over heads. */
  attention?: tf.Tensor3D;
  /**
   * With `heads: true`, a Transformer's attention weights per layer and head (for per-head
   * heatmaps): encoder self-attention [batch, heads, srcLen, srcLen], decoder self-attention
   * [batch, heads, tgtLen, tgtLen], decoder cross-attention [batch, heads, tgtLen, srcLen].
   */
  heads?: { encoderSelf: tf.Tensor4D[]; decoderSelf: tf.Tensor4D[]; decoderCross: tf.Tensor4D[] };
}

/** Builds the encoder and decoder of `config`; throws naming the field that does not fit. */
export function buildParts(config: ResolvedSeq2SeqConfig): {
  encoder: Seq2SeqEncoder;
  decoder: AnyDecoder;
} {
  const { encoder: enc, decoder: dec } = config;
  const seeds = new SeedSequence(enc.seed ?? dec.seed);
  if (isTransformer(dec)) {
    if (isTransformer(enc) && enc.dModel !== dec.dModel) {
      throw invalidArgument('decoder.dModel', dec.dModel, `the encoder's dModel ${enc.dModel}`);
    }
    const encoder = isTransformer(enc)
      ? buildTransformerEncoder(enc, seeds)
      : buildEncoder(enc, seeds);
    return { encoder, decoder: buildTransformerDecoder(dec, seeds) };
  }
  if (isTransformer(enc)) {
    throw invalidArgument(
      'decoder.kind',
      'recurrent',
      '"transformer" with a Transformer encoder (a recurrent decoder starts from the final state of a recurrent encoder; a Transformer encoder has none)',
    );
  }
  checkRecurrentPair(enc, dec);
  return { encoder: buildEncoder(enc, seeds), decoder: buildDecoder(dec, seeds) };
}

/** The recurrent decoder starts from the encoder's final state: same cell, same size. */
function checkRecurrentPair(enc: ResolvedEncoderConfig, dec: ResolvedDecoderConfig): void {
  const stateSize = encoderStateSize(enc);
  if (dec.units !== stateSize) {
    const how = enc.bidirectional
      ? `2 x encoder.units ${enc.units}, bidirectional`
      : 'encoder.units';
    throw invalidArgument(
      'decoder.units',
      dec.units,
      `the encoder's state size ${stateSize} (${how})`,
    );
  }
  if (dec.cell !== enc.cell) {
    throw invalidArgument(
      'decoder.cell',
      dec.cell,
      `the encoder's cell ${JSON.stringify(enc.cell)}, so its final state fits`,
    );
  }
}
