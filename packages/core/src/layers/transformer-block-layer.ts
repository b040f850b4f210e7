/**
 * What the Transformer's encoder and decoder layers (transformer-encoder-layer.ts,
 * transformer-decoder-layer.ts) share: their arguments, and the weights of their parts created
 * with `addWeight` (a `tf.layers.*` nested in a custom layer would be neither trained nor saved),
 * handed to the functions of model/transformer-blocks.ts as parameter objects.
 */
import * as tf from '@tensorflow/tfjs';
import type { MultiHeadParams } from '../attention/multi-head.js';
import { positiveInt } from '../checks.js';
import { invalidArgument, notOneOf } from '../errors.js';
import type {
  BlockOptions,
  FeedForwardParams,
  LayerNormParams,
} from '../model/transformer-blocks.js';
import {
  isNormPlacement,
  NORM_PLACEMENTS,
  type NormPlacement,
} from '../model/transformer-config.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface TransformerBlockLayerArgs extends LayerArgs {
  /** Heads of each attention; must divide the input's last dimension (dModel). */
  numHeads: number;
  /** Hidden width of the feed-forward network. */
  ffDim: number;
  /** Dropout rate on each sub-layer's output while training. Default 0. */
  dropout?: number;
  /** LayerNorm placement, 'pre' (default) or 'post' (see `NORM_PLACEMENTS`). */
  norm?: NormPlacement;
  /**
   * Seed of the Glorot initializers; each weight matrix takes the next integer (see
   * `seedsUsed`). Default: unseeded.
   */
  seed?: number;
}

export abstract class TransformerBlockLayer extends tf.layers.Layer {
  readonly numHeads: number;
  readonly ffDim: number;
  readonly dropout: number;
  readonly norm: NormPlacement;
  readonly seed: number | undefined;
  private nextSeed: number | undefined;
  /** The weights by their short name (`self_Wq`), as `addWeight` created them. */
  private readonly vars = new Map<string, tf.LayerVariable>();

  constructor(args: TransformerBlockLayerArgs) {
    super(args);
    this.numHeads = positiveInt('numHeads', args?.numHeads);
    this.ffDim = positiveInt('ffDim', args.ffDim);
    const dropout = args.dropout ?? 0;
    if (!(typeof dropout === 'number' && dropout >= 0 && dropout < 1)) {
      throw invalidArgument('dropout', dropout, 'a number in [0, 1)');
    }
    this.dropout = dropout;
    const norm = args.norm ?? 'pre';
    if (!isNormPlacement(norm)) throw notOneOf('norm', norm, NORM_PLACEMENTS);
    this.norm = norm;
    const seed = args.seed ?? undefined;
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw invalidArgument('seed', seed, 'an integer');
    }
    this.seed = seed;
    this.nextSeed = seed;
  }

  /** How the block functions run, `training` from the call's kwargs. */
  options(training: boolean): BlockOptions {
    return { numHeads: this.numHeads, norm: this.norm, dropout: this.dropout, training };
  }

  /** dModel of a built layer's input, checked against numHeads. */
  protected modelWidth(shape: tf.Shape | undefined, what: string): number {
    const dModel = shape?.[2];
    if (typeof dModel !== 'number' || shape?.length !== 3) {
      throw invalidArgument(what, shape, '[batch, len, dModel] with dModel known');
    }
    if (dModel % this.numHeads !== 0) {
      throw invalidArgument('numHeads', this.numHeads, `a divisor of dModel ${dModel}`);
    }
    return dModel;
  }

  /** A Glorot-uniform matrix (the Keras default for Dense kernels), seeded in creation order. */
  private matrix(name: string, rows: number, cols: number): void {
    const seed = this.nextSeed;
    if (this.nextSeed !== undefined) this.nextSeed++;
    const init = tf.initializers.glorotUniform({ seed });
    this.vars.set(name, this.addWeight(name, [rows, cols], 'float32', init));
  }

  private vector(name: string, size: number, value: 0 | 1): void {
    const init = value === 1 ? tf.initializers.ones() : tf.initializers.zeros();
    this.vars.set(name, this.addWeight(name, [size], 'float32', init));
  }

  protected addNorm(name: string, dModel: number): void {
    this.vector(`${name}_gamma`, dModel, 1);
    this.vector(`${name}_beta`, dModel, 0);
  }

  /** Wq, Wk, Wv, Wo with zero biases; keys and values read inputs of width dKey. */
  protected addAttention(name: string, dModel: number, dKey: number): void {
    this.matrix(`${name}_Wq`, dModel, dModel);
    this.vector(`${name}_bq`, dModel, 0);
    this.matrix(`${name}_Wk`, dKey, dModel);
    this.vector(`${name}_bk`, dModel, 0);
    this.matrix(`${name}_Wv`, dKey, dModel);
    this.vector(`${name}_bv`, dModel, 0);
    this.matrix(`${name}_Wo`, dModel, dModel);
    this.vector(`${name}_bo`, dModel, 0);
  }

  protected addFeedForward(name: string, dModel: number): void {
    this.matrix(`${name}_W1`, dModel, this.ffDim);
    this.vector(`${name}_b1`, this.ffDim, 0);
    this.matrix(`${name}_W2`, this.ffDim, dModel);
    this.vector(`${name}_b2`, dModel, 0);
  }

  /** The current value of this layer's weight `name` (a variable's value: do not dispose it). */
  private value(name: string): tf.Tensor {
    const weight = this.vars.get(name);
    if (weight === undefined) {
      throw invalidArgument('params()', 'an unbuilt layer', 'called once the layer is built');
    }
    return weight.read();
  }

  protected normParams(name: string): LayerNormParams {
    return { gamma: this.value(`${name}_gamma`), beta: this.value(`${name}_beta`) };
  }

  protected attentionParams(name: string): MultiHeadParams {
    const [Wq, bq, Wk, bk, Wv, bv, Wo, bo] = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'].map(
      (w) => this.value(`${name}_${w}`),
    ) as tf.Tensor[];
    return { Wq: Wq!, bq, Wk: Wk!, bk, Wv: Wv!, bv, Wo: Wo!, bo };
  }

  protected feedForwardParams(name: string): FeedForwardParams {
    const [W1, b1, W2, b2] = ['W1', 'b1', 'W2', 'b2'].map((w) => this.value(`${name}_${w}`));
    return { W1: W1!, b1: b1!, W2: W2!, b2: b2! };
  }

  /** The outputs carry no Keras mask; masks travel as inputs. */
  override computeMask(): tf.Tensor {
    // TF.js's `Layer.computeMask` returns null for "no mask"; its declared type omits null.
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      numHeads: this.numHeads,
      ffDim: this.ffDim,
      dropout: this.dropout,
      norm: this.norm,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
