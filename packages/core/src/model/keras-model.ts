/**
 * The Keras-equivalent functional model of a seq2seq model, [src, tgtIn] -> softmax probabilities
 * [batch, tgtLen, vocabSize]: the graph of the Keras example's Keras code, for summary, countParams,
 * compile and save. Training and decoding run the same layers eagerly (see seq2seq.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Decoder } from './decoder.js';
import type { Encoder } from './encoder.js';
import { tokenInput } from './stock-layers.js';

/**
 * The Keras-equivalent functional model [src, tgtIn] -> softmax probabilities. Wiring builds the
 * layers; tidy frees the temporaries TF.js's initializers leave behind (variables survive it).
 */
export function buildKerasModel(encoder: Encoder, decoder: Decoder): tf.LayersModel {
  let model: tf.LayersModel | undefined;
  tf.tidy(() => {
    const src = tokenInput('src');
    const tgtIn = tokenInput('tgt_in');
    const encoded = encoder.apply(src);
    const attends = decoder.config.attention !== 'none';
    const decoded = decoder.apply(tgtIn, encoded.states, attends ? encoded : undefined);
    const softmax = tf.layers.activation({ name: 'decoder_softmax', activation: 'softmax' });
    model = tf.model({
      name: 'seq2seq',
      inputs: [src, tgtIn],
      outputs: softmax.apply(decoded.logits) as tf.SymbolicTensor,
    });
  });
  return model!;
}
