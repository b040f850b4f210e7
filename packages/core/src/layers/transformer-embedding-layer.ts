/**
 * `TransformerEmbeddingLayer`: a Transformer's input and, when tied, output end (Vaswani et al.
 * 2017, sections 3.4 and 3.5), one weight matrix E [vocabSize, dModel] used both ways:
 *
 *   ids [batch, len] int32       -> E[ids] * sqrt(dModel) + positions[offset .. offset + len - 1]
 *                                   (then dropout while training)          [batch, len, dModel]
 *   x [batch, len, dModel] float -> x E^T, the logits over the vocabulary   [batch, len, vocabSize]
 *
 * The second use is the tied output projection (Press & Wolf 2017): a model applies the same
 * layer twice, so that both ends share E. Scaling by sqrt(dModel) gives the embeddings, drawn
 * with a standard deviation of dModel^-0.5, the unit scale of the positional encodings.
 * Positions: 'sinusoidal' (fixed, the paper's section 3.5) or 'learned' (a trained table).
 */
import * as tf from '@tensorflow/tfjs';
import { sinusoidalPositions } from '../attention/positional.js';
import { positiveInt } from '../checks.js';
import { invalidArgument, notOneOf } from '../errors.js';
import {
  isPositionalEncoding,
  POSITIONAL_ENCODINGS,
  type PositionalEncoding,
} from './positional-encoding-layer.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface TransformerEmbeddingLayerArgs extends LayerArgs {
  /** Vocabulary size, padding id 0 included. */
  vocabSize: number;
  /** Width of each embedding. */
  dModel: number;
  /** The most positions a sequence may have: the rows of the positional table. */
  maxLength: number;
  /** 'sinusoidal' (default) or 'learned'. */
  positional?: PositionalEncoding;
  /** Dropout rate on the sum of embeddings and positions while training. Default 0. */
  dropout?: number;
  /**
   * Seed of the initializers (E, then the learned table with seed + 1). Default: unseeded.
   */
  seed?: number;
}

export class TransformerEmbeddingLayer extends tf.layers.Layer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecTransformerEmbedding';

  readonly vocabSize: number;
  readonly dModel: number;
  readonly maxLength: number;
  readonly positional: PositionalEncoding;
  readonly dropout: number;
  readonly seed: number | undefined;
  private embeddings?: tf.LayerVariable;
  private positions?: tf.LayerVariable;
  /** The fixed sinusoidal table [maxLength, dModel], made once (see `disposeTable`). */
  private sinusoids?: tf.Tensor2D;

  constructor(args: TransformerEmbeddingLayerArgs) {
    super(args);
    this.vocabSize = positiveInt('vocabSize', args?.vocabSize);
    this.dModel = positiveInt('dModel', args.dModel);
    this.maxLength = positiveInt('maxLength', args.maxLength);
    const positional = args.positional ?? 'sinusoidal';
    if (!isPositionalEncoding(positional)) {
      throw notOneOf('positional', positional, POSITIONAL_ENCODINGS);
    }
    this.positional = positional;
    const dropout = args.dropout ?? 0;
    if (!(typeof dropout === 'number' && dropout >= 0 && dropout < 1)) {
      throw invalidArgument('dropout', dropout, 'a number in [0, 1)');
    }
    this.dropout = dropout;
    const seed = args.seed ?? undefined;
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw invalidArgument('seed', seed, 'an integer');
    }
    this.seed = seed;
  }

  override build(): void {
    const seed = this.seed;
    this.embeddings = this.addWeight(
      'embeddings',
      [this.vocabSize, this.dModel],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: this.dModel ** -0.5, seed }),
    );
    if (this.positional === 'learned') {
      const range = { minval: -0.05, maxval: 0.05 };
      this.positions = this.addWeight(
        'positions',
        [this.maxLength, this.dModel],
        'float32',
        tf.initializers.randomUniform(seed === undefined ? range : { ...range, seed: seed + 1 }),
      );
    } else {
      this.sinusoids = tf.keep(sinusoidalPositions(this.maxLength, this.dModel));
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return x.rank === 2 ? this.embed(x, 0, kwargs?.training ?? false, 'ids') : this.logits(x);
  }

  /**
   * Embeds ids [batch, len] at positions offset .. offset + len - 1 -> [batch, len, dModel].
   * `name` names the input in the error for a sequence longer than maxLength.
   */
  embed(ids: tf.Tensor, offset: number, training: boolean, name: string): tf.Tensor3D {
    const [batch, len] = ids.shape as [number, number];
    if (offset + len > this.maxLength) {
      throw invalidArgument(
        name,
        `a sequence reaching position ${offset + len - 1}`,
        `at most maxLength = ${this.maxLength} positions (0 .. ${this.maxLength - 1}); raise maxLength in the config`,
      );
    }
    return tf.tidy(() => {
      const E = this.embeddings!.read();
      const flat = tf.gather(E, tf.reshape(ids, [-1])); // [batch * len, dModel]
      const scaled = tf.mul(tf.reshape(flat, [batch, len, this.dModel]), Math.sqrt(this.dModel));
      const table = this.positions?.read() ?? this.sinusoids!;
      const rows = tf.slice(table, [offset, 0], [len, this.dModel]); // [len, dModel]
      const sum = tf.add(scaled, rows); // [batch, len, dModel]
      return (training && this.dropout > 0 ? tf.dropout(sum, this.dropout) : sum) as tf.Tensor3D;
    });
  }

  /** x [batch, len, dModel] -> x E^T [batch, len, vocabSize]: the tied output projection. */
  logits(x: tf.Tensor): tf.Tensor3D {
    const [batch, len, d] = x.shape as [number, number, number];
    return tf.tidy(() => {
      const flat = tf.matMul(tf.reshape(x, [batch * len, d]), this.embeddings!.read(), false, true);
      return tf.reshape(flat, [batch, len, this.vocabSize]) as tf.Tensor3D; // [batch, len, vocab]
    });
  }

  /** The positional table [maxLength, dModel], a copy the caller disposes (to plot it). */
  table(): tf.Tensor2D {
    if (!this.built) this.build();
    return tf.clone(this.positions?.read() ?? this.sinusoids!) as tf.Tensor2D;
  }

  /** Frees the fixed sinusoidal table (weights are freed with the model's). */
  disposeTable(): void {
    this.sinusoids?.dispose();
    this.sinusoids = undefined;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length === 2) return [shape[0]!, shape[1]!, this.dModel];
    if (shape.length === 3) return [shape[0]!, shape[1]!, this.vocabSize];
    throw invalidArgument('inputs', shape, 'ids [batch, len] or vectors [batch, len, dModel]');
  }

  /** Padding travels as an explicit mask input; no Keras mask. */
  override computeMask(): tf.Tensor {
    // TF.js's `Layer.computeMask` returns null for "no mask"; its declared type omits null.
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      vocabSize: this.vocabSize,
      dModel: this.dModel,
      maxLength: this.maxLength,
      positional: this.positional,
      dropout: this.dropout,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(TransformerEmbeddingLayer);
