/**
 * The stock TF.js layers a seq2seq model is made of besides its recurrent cells (embedding, dense,
 * the token input), created with seeded Keras-default initializers so that a seeded model starts
 * from the same weights on every run. The layer objects are built once and wired into several
 * functional models, which then share their weights (see `seq2seq.ts`).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Hands out initializer seeds: seed, seed + 1, ... in creation order, or undefined (random) for
 * every initializer when no seed was given.
 */
export class SeedSequence {
  private next: number | undefined;
  constructor(seed?: number) {
    this.next = seed;
  }
  /**
   * The next seed; with `count` > 1 the first of `count` consecutive ones, all taken (a layer
   * numbers its weights' seeds from it).
   */
  take(count = 1): number | undefined {
    if (this.next === undefined) return undefined;
    const first = this.next;
    this.next += count;
    return first;
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

/** A symbolic input of token ids [batch, null]. */
export function tokenInput(name: string): tf.SymbolicTensor {
  return tf.input({ name, shape: [null], dtype: 'int32' });
}
