/**
 * The Keras example, one call away: the Keras encoder-decoder the project started from,
 *
 *   encoder: Embedding(10000, 32) -> LSTM(32), its final [h, c] start the decoder
 *   decoder: Embedding(10000, 32) -> LSTM(32, return_sequences) -> Dense(10000, softmax)
 *   compile(optimizer='rmsprop', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
 *
 * The Keras example is tf.keras (TensorFlow 2), whose LSTM gates are the logistic sigmoid
 * (recurrent_activation='sigmoid', Keras 2+'s default, as in PyTorch's nn.LSTM); so are this
 * preset's (the config default; TF.js's own LSTM would use hardSigmoid). Given the same weights it
 * computes the Keras example's logits and loss (test/core/model/pytorch-keras-example.test.ts
 * checks them against PyTorch).
 *
 * Parameters, as Keras counts them: Embedding V*E = 320,000 (x2), LSTM 4*(units*(E+units)+units)
 * = 8,320 (x2), Dense units*V+V = 330,000; 986,640 in all. Keras' Embedding does not mask zeros
 * by default, so neither does this preset (maskZero false); training still ignores padding
 * targets (id 0) in loss and accuracy.
 */
import type { Seq2SeqConfig } from './config.js';
import { createSeq2Seq, type Seq2Seq, type Seq2SeqOptions } from './seq2seq.js';

export interface KerasExampleOptions extends Seq2SeqOptions {
  /** Vocabulary size of both sides. Default 10,000 (the Keras example's). */
  vocabSize?: number;
  /** Seed of the weight initializers; unset: random. */
  seed?: number;
  /**
   * RMSprop's step size. Default 0.001, Keras' default, which the Keras example's `optimizer='rmsprop'`
   * gets; a larger one (0.01) trains a small task in fewer epochs.
   */
  learningRate?: number;
}

/** The Keras example's configuration (see the file comment). */
export function kerasExampleConfig(
  options: Omit<KerasExampleOptions, 'vocabulary'> = {},
): Seq2SeqConfig {
  const vocabSize = options.vocabSize ?? 10_000;
  const side = { vocabSize, embeddingDim: 32, units: 32, cell: 'lstm' as const };
  return {
    encoder: {
      ...side,
      maskZero: false,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
    decoder: { ...side, attention: 'none' },
    optimizer: 'rmsprop',
    learningRate: options.learningRate ?? 0.001,
  };
}

/** The Keras example: `createSeq2Seq(kerasExampleConfig(options))`. */
export function createKerasExampleModel(options: KerasExampleOptions = {}): Seq2Seq {
  const { vocabulary, ...rest } = options;
  return createSeq2Seq(kerasExampleConfig(rest), vocabulary ? { vocabulary } : {});
}
