/**
 * `MultiHeadAttentionLayer`: the functional `multiHeadAttention` as a registered TF.js layer that
 * owns its projections, so that a model using it trains with `fit`, saves and loads. The attention
 * weights of every head are a second output (as in `AttentionLayer`), never kept on `this`.
 *
 *   layer.apply([query, keyValue])           query [batch, tgtLen, dQuery], keyValue [batch, srcLen, dKey]
 *   layer.apply([query, keyValue, keyMask])  keyMask [batch, srcLen], 1 real token, 0 padding
 *     -> [output [batch, tgtLen, outputDim], weights [batch, numHeads, tgtLen, srcLen]]
 *
 * Self-attention passes the same tensor as query and keyValue; cross-attention the encoder's
 * outputs as keyValue. `params()` hands the current weights to the functional form, for a decoder
 * that attends step by step over a key/value cache.
 */
import * as tf from '@tensorflow/tfjs';
import { type MultiHeadParams, multiHeadAttention } from '../attention/multi-head.js';
import { positiveInt } from '../checks.js';
import { badAttentionShape, invalidArgument } from '../errors.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface MultiHeadAttentionLayerArgs extends LayerArgs {
  /** Number of heads (h in Vaswani et al. 2017). */
  numHeads: number;
  /**
   * Size of each head's queries and keys (d_k). Default: the query's last dimension / numHeads,
   * the paper's d_k = d_model / h, which keeps the cost of all heads that of one full-size head.
   */
  keyDim?: number;
  /** Size of each head's values (d_v). Default: keyDim (the paper's d_v = d_k). */
  valueDim?: number;
  /** Size of the output (d_model). Default: the query's last dimension, so blocks can add it back. */
  outputDim?: number;
  /** Whether the four projections have biases. Default: true (as PyTorch's nn.MultiheadAttention). */
  useBias?: boolean;
  /** Whether query i sees only keys j <= i (a decoder's self-attention). Default: false. */
  causal?: boolean;
  /**
   * Seed of the Glorot initializers of Wq, Wk, Wv, Wo, for reproducible models (each weight takes
   * the next integer). Biases start at zero. Default: unseeded.
   */
  seed?: number;
}

/** The weights the layer owns, in the order `addWeight` creates them. */
const WEIGHT_NAMES = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;
type WeightName = (typeof WEIGHT_NAMES)[number];

export class MultiHeadAttentionLayer extends tf.layers.Layer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecMultiHeadAttention';

  readonly numHeads: number;
  /** The optional sizes as given (undefined: the default, resolved in `build`). */
  readonly keyDim: number | undefined;
  readonly valueDim: number | undefined;
  readonly outputDim: number | undefined;
  readonly useBias: boolean;
  readonly causal: boolean;
  readonly seed: number | undefined;
  private readonly vars: Partial<Record<WeightName, tf.LayerVariable>> = {};

  constructor(args: MultiHeadAttentionLayerArgs) {
    super(args);
    this.numHeads = positiveInt('numHeads', args?.numHeads);
    // A config loaded from disk may carry null for "not set".
    this.keyDim = optionalPositiveInt('keyDim', args.keyDim);
    this.valueDim = optionalPositiveInt('valueDim', args.valueDim);
    this.outputDim = optionalPositiveInt('outputDim', args.outputDim);
    this.useBias = optionalBoolean('useBias', args.useBias) ?? true;
    this.causal = optionalBoolean('causal', args.causal) ?? false;
    const seed = args.seed ?? undefined;
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw invalidArgument('seed', seed, 'an integer');
    }
    this.seed = seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [queryShape, keyValueShape] = checkInputShapes(inputShape);
    const dQuery = queryShape[2];
    const dKey = keyValueShape[2];
    if (dQuery === null) {
      throw badAttentionShape('query', queryShape, '[batch, tgtLen, dQuery] with dQuery known');
    }
    if (dKey === null) {
      throw badAttentionShape('keyValue', keyValueShape, '[batch, srcLen, dKey] with dKey known');
    }
    const { keyDim, valueDim, outputDim } = this.sizes(dQuery);
    const h = this.numHeads;
    // Glorot/Xavier uniform, the Keras default for Dense kernels; zero biases.
    let seed = this.seed;
    const glorot = () =>
      tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed++ });
    const shapes: Record<WeightName, number[]> = {
      Wq: [dQuery, h * keyDim],
      bq: [h * keyDim],
      Wk: [dKey, h * keyDim],
      bk: [h * keyDim],
      Wv: [dKey, h * valueDim],
      bv: [h * valueDim],
      Wo: [h * valueDim, outputDim],
      bo: [outputDim],
    };
    for (const name of WEIGHT_NAMES) {
      const isBias = name.startsWith('b');
      if (isBias && !this.useBias) continue;
      const init = isBias ? tf.initializers.zeros() : glorot();
      this.vars[name] = this.addWeight(name, shapes[name], 'float32', init);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      // build() checked that the inputs are [query, keyValue] or [query, keyValue, keyMask].
      const [query, keyValue, keyMask] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor?];
      const { output, weights } = multiHeadAttention(query, keyValue, this.params(), {
        numHeads: this.numHeads,
        keyMask,
        causal: this.causal,
      });
      return [output, weights];
    });
  }

  /**
   * The layer's current weights for the functional `multiHeadAttention` (e.g. a decoder step over
   * a key/value cache). They are the layer's own variables: read them, do not dispose them.
   */
  params(): MultiHeadParams {
    const { Wq, bq, Wk, bk, Wv, bv, Wo, bo } = this.vars;
    if (Wq === undefined || Wk === undefined || Wv === undefined || Wo === undefined) {
      throw invalidArgument(
        'params()',
        'an unbuilt layer',
        'called once the layer is built (apply it first)',
      );
    }
    return {
      Wq: Wq.read(),
      bq: bq?.read(),
      Wk: Wk.read(),
      bk: bk?.read(),
      Wv: Wv.read(),
      bv: bv?.read(),
      Wo: Wo.read(),
      bo: bo?.read(),
    };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [queryShape, keyValueShape] = checkInputShapes(inputShape);
    const [batchSize, tgtLen, dQuery] = queryShape;
    const srcLen = keyValueShape[1];
    return [
      [batchSize, tgtLen, this.outputDim ?? dQuery], // output
      [batchSize, this.numHeads, tgtLen, srcLen], // weights
    ];
  }

  /** The outputs carry no Keras mask; an incoming implicit mask is ignored rather than rejected. */
  override computeMask(): tf.Tensor {
    // TF.js's own `Layer.computeMask` returns null for "no mask"; its declared type omits null.
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      numHeads: this.numHeads,
      useBias: this.useBias,
      causal: this.causal,
    };
    if (this.keyDim !== undefined) config.keyDim = this.keyDim;
    if (this.valueDim !== undefined) config.valueDim = this.valueDim;
    if (this.outputDim !== undefined) config.outputDim = this.outputDim;
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }

  /** keyDim, valueDim and outputDim with their defaults, for a query of last dimension dQuery. */
  private sizes(dQuery: number): { keyDim: number; valueDim: number; outputDim: number } {
    if (this.keyDim === undefined && dQuery % this.numHeads !== 0) {
      throw invalidArgument(
        'numHeads',
        this.numHeads,
        `a divisor of the query's last dimension ${dQuery} (keyDim defaults to it / numHeads; or pass keyDim)`,
      );
    }
    const keyDim = this.keyDim ?? dQuery / this.numHeads;
    return { keyDim, valueDim: this.valueDim ?? keyDim, outputDim: this.outputDim ?? dQuery };
  }
}
tf.serialization.registerClass(MultiHeadAttentionLayer);

/** `new MultiHeadAttentionLayer(args)`, in the style of `tf.layers.*`. */
export function createMultiHeadAttentionLayer(
  args: MultiHeadAttentionLayerArgs,
): MultiHeadAttentionLayer {
  return new MultiHeadAttentionLayer(args);
}

function optionalPositiveInt(name: string, value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : positiveInt(name, value);
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidArgument(name, value, 'true or false');
  return value;
}

/** The shape of a rank-3 input, [batch, length, depth]. */
type Shape3 = [number | null, number | null, number | null];
const isRank3 = (shape: tf.Shape): shape is Shape3 => shape.length === 3;

/** [queryShape, keyValueShape], checked: [query, keyValue] or [query, keyValue, keyMask]. */
function checkInputShapes(inputShape: tf.Shape | tf.Shape[]): [Shape3, Shape3] {
  const shapes = inputShape as tf.Shape[];
  const [queryShape, keyValueShape, maskShape] = shapes;
  if (!Array.isArray(queryShape) || keyValueShape === undefined || shapes.length > 3) {
    throw invalidArgument(
      'inputs',
      inputShape,
      'a list [query, keyValue] or [query, keyValue, keyMask] (one shape per tensor)',
    );
  }
  if (!isRank3(queryShape)) throw badAttentionShape('query', queryShape, '[batch, tgtLen, dQuery]');
  if (!isRank3(keyValueShape)) {
    throw badAttentionShape('keyValue', keyValueShape, '[batch, srcLen, dKey]');
  }
  if (maskShape !== undefined && maskShape.length !== 2) {
    throw badAttentionShape('keyMask', maskShape, '[batch, srcLen]');
  }
  return [queryShape, keyValueShape];
}
