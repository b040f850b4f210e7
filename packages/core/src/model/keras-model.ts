/**
 * The Keras-equivalent functional model of a seq2seq model, [src, tgtIn] -> softmax probabilities
 * [batch, tgtLen, vocabSize]: the graph of the Keras example's Keras code, for summary, countParams,
 * compile and save. Training and decoding run the same layers eagerly (see seq2seq.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { AnyDecoder, Seq2SeqEncoder } from './seq2seq-parts.js';
import { tokenInput } from './stock-layers.js';

/**
 * The Keras-equivalent functional model [src, tgtIn] -> softmax probabilities. Wiring builds the
 * layers; tidy frees the temporaries TF.js's initializers leave behind (variables survive it).
 */
export function buildKerasModel(encoder: Seq2SeqEncoder, decoder: AnyDecoder): tf.LayersModel {
  let model: tf.LayersModel | undefined;
  tf.tidy(() => {
    const src = tokenInput('src');
    const tgtIn = tokenInput('tgt_in');
    const encoded = encoder.apply(src);
    const logits = decoder.connect(tgtIn, encoded); // [batch, tgtLen, vocabSize]
    const softmax = tf.layers.activation({ name: 'decoder_softmax', activation: 'softmax' });
    model = tf.model({
      name: 'seq2seq',
      inputs: [src, tgtIn],
      outputs: softmax.apply(logits) as tf.SymbolicTensor,
    });
  });
  return model!;
}
