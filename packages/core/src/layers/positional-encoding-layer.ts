/**
 * `PositionalEncodingLayer`: adds a position's vector to every embedding of [batch, len, dModel]
 * inputs, position p getting row p of a table [maxLength, dModel]:
 * - `sinusoidal`: the fixed table of `sinusoidalPositions` (Vaswani et al. 2017, section 3.5); no
 *   weights.
 * - `learned`: a trained table, one weight [maxLength, dModel] (as BERT and GPT-2 do; Vaswani et al.
 *   found both to score alike, section 6.2, and chose sinusoids for lengths not seen in training).
 *
 * `table()` returns the table, to plot it, or to encode one decoder step at position `offset` by
 * adding its row `offset`.
 */
import * as tf from '@tensorflow/tfjs';
import { sinusoidalPositions } from '../attention/positional.js';
import { positiveInt } from '../checks.js';
import { badAttentionShape, invalidArgument, notOneOf } from '../errors.js';

/** The kinds of positional encoding; lowerCamel, so they survive a save (see kinds.ts). */
export const POSITIONAL_ENCODINGS = ['sinusoidal', 'learned'] as const;

export type PositionalEncoding = (typeof POSITIONAL_ENCODINGS)[number];

export function isPositionalEncoding(x: unknown): x is PositionalEncoding {
  return typeof x === 'string' && (POSITIONAL_ENCODINGS as readonly string[]).includes(x);
}

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface PositionalEncodingLayerArgs extends LayerArgs {
  /** 'sinusoidal' (fixed) or 'learned' (a trained table). Default: 'sinusoidal', the paper's. */
  kind?: PositionalEncoding;
  /** The most positions an input may have: the table's rows. */
  maxLength: number;
  /**
   * Seed of the `learned` table's initializer, uniform in [-0.05, 0.05] like a Keras Embedding's.
   * Default: unseeded.
   */
  seed?: number;
}

export class PositionalEncodingLayer extends tf.layers.Layer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecPositionalEncoding';

  readonly kind: PositionalEncoding;
  readonly maxLength: number;
  readonly seed: number | undefined;
  /** The inputs' last dimension, known once built. */
  private dModel?: number;
  private positions?: tf.LayerVariable;

  constructor(args: PositionalEncodingLayerArgs) {
    super(args);
    const kind = args?.kind ?? 'sinusoidal';
    if (!isPositionalEncoding(kind)) throw notOneOf('kind', kind, POSITIONAL_ENCODINGS);
    this.kind = kind;
    this.maxLength = positiveInt('maxLength', args.maxLength);
    const seed = args.seed ?? undefined;
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw invalidArgument('seed', seed, 'an integer');
    }
    this.seed = seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = this.checkShape(inputShape);
    const dModel = shape[2];
    if (typeof dModel !== 'number') {
      throw badAttentionShape('inputs', shape, '[batch, len, dModel] with dModel known');
    }
    this.dModel = dModel;
    if (this.kind === 'learned') {
      const range = { minval: -0.05, maxval: 0.05 };
      const init = tf.initializers.randomUniform(
        this.seed === undefined ? range : { ...range, seed: this.seed },
      );
      this.positions = this.addWeight('positions', [this.maxLength, dModel], 'float32', init);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const [, len, dModel] = this.checkShape(x.shape) as number[];
      const rows =
        this.kind === 'learned'
          ? tf.slice(this.positions!.read(), [0, 0], [len!, dModel!])
          : sinusoidalPositions(len!, dModel!);
      // [batch, len, dModel] + [len, dModel], broadcast over the batch
      return tf.add(x, rows);
    });
  }

  /**
   * The table [maxLength, dModel]: row p is added to position p. A new tensor the caller disposes
   * (for `learned`, a copy of the weight's current value).
   */
  table(): tf.Tensor2D {
    if (this.dModel === undefined) {
      throw invalidArgument(
        'table()',
        'an unbuilt layer',
        'called once the layer is built (apply it first)',
      );
    }
    return this.kind === 'learned'
      ? (this.positions!.read().clone() as tf.Tensor2D)
      : sinusoidalPositions(this.maxLength, this.dModel);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return this.checkShape(inputShape);
  }

  /** Passes an incoming Keras mask (an Embedding's `maskZero`) through unchanged. */
  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor {
    return (Array.isArray(mask) ? mask[0] : mask) as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { kind: this.kind, maxLength: this.maxLength };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }

  /** The input's shape, checked: rank 3, at most maxLength positions. */
  private checkShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 3) throw badAttentionShape('inputs', shape, '[batch, len, dModel]');
    const len = shape[1];
    if (typeof len === 'number' && len > this.maxLength) {
      const expected = `[batch, len <= maxLength (${this.maxLength}), dModel]`;
      throw badAttentionShape('inputs', shape, expected);
    }
    return shape;
  }
}
tf.serialization.registerClass(PositionalEncodingLayer);
