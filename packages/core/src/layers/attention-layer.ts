/**
 * `AttentionLayer`: the functional `attention` as a registered TF.js layer, so that a model using
 * it trains with `fit`, saves and loads. It owns the weights of the `general` and `additive`
 * kinds and returns the attention weights as a second output, so a model can expose them (the
 * tfjs-examples date-conversion-attention idea) instead of keeping them on `this`.
 *
 *   layer.apply([query, values])        query [batch, tgtLen, dq], values [batch, srcLen, dv]
 *   layer.apply([query, values, mask])  mask [batch, srcLen], 1 real token, 0 padding
 *     -> [context [batch, tgtLen, dv], weights [batch, tgtLen, srcLen]]
 *
 * The values are also the keys (Bahdanau et al. 2015; Luong et al. 2015). tgtLen may be 1 (one
 * decoder step) or null. Keras' implicit masks (Embedding `maskZero`) are not read: pass the
 * padding mask as the third input.
 */
import * as tf from '@tensorflow/tfjs';
import { attention } from '../attention/attention.js';
import { ATTENTION_KINDS, type AttentionKind, isAttentionKind } from '../attention/kinds.js';
import type { AttentionParams } from '../attention/scores.js';
import { badAttentionShape, invalidArgument, unknownAttentionKind } from '../errors.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface AttentionLayerArgs extends LayerArgs {
  /** Scoring function: 'dot', 'scaledDot', 'general' or 'additive' (see `ATTENTION_KINDS`). */
  kind: AttentionKind;
  /**
   * Hidden size of the `additive` kind's MLP (ignored by the other kinds). Default: the values'
   * last dimension (dv): Bahdanau et al. 2015 size it like the states it reads (n' = n = 1000,
   * their appendix A.2.2).
   */
  units?: number;
  /**
   * Seed of the Glorot initializers of the `general` and `additive` weights, for reproducible
   * models (each weight takes the next integer). Default: unseeded.
   */
  seed?: number;
}

export class AttentionLayer extends tf.layers.Layer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecAttention';

  readonly kind: AttentionKind;
  /** The `units` argument as given (undefined: the default, resolved in `build`). */
  readonly units: number | undefined;
  readonly seed: number | undefined;
  private W?: tf.LayerVariable;
  private Wq?: tf.LayerVariable;
  private Wk?: tf.LayerVariable;
  private v?: tf.LayerVariable;

  constructor(args: AttentionLayerArgs) {
    super(args);
    if (!isAttentionKind(args?.kind)) throw unknownAttentionKind(args?.kind, ATTENTION_KINDS);
    // A config loaded from disk may carry units: null for "not set".
    const units = args.units ?? undefined;
    if (units !== undefined && !(Number.isInteger(units) && units > 0)) {
      throw invalidArgument('units', units, 'a positive integer');
    }
    const seed = args.seed ?? undefined;
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw invalidArgument('seed', seed, 'an integer');
    }
    this.kind = args.kind;
    this.units = units;
    this.seed = seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [queryShape, valuesShape] = checkInputShapes(inputShape);
    const dq = queryShape[2];
    const dv = valuesShape[2];
    if (this.kind === 'general' || this.kind === 'additive') {
      if (dq === null)
        throw badAttentionShape('query', queryShape, '[batch, tgtLen, dq] with dq known');
      if (dv === null)
        throw badAttentionShape('values', valuesShape, '[batch, srcLen, dv] with dv known');
    }
    // Glorot/Xavier uniform, the Keras default for Dense kernels.
    let seed = this.seed;
    const init = () =>
      tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed++ });
    if (this.kind === 'general') {
      this.W = this.addWeight('W', [dq, dv], 'float32', init());
    } else if (this.kind === 'additive') {
      const units = this.units ?? dv!;
      this.Wq = this.addWeight('Wq', [dq, units], 'float32', init());
      this.Wk = this.addWeight('Wk', [dv, units], 'float32', init());
      this.v = this.addWeight('v', [units], 'float32', init());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      // build() checked that the inputs are [query, values] or [query, values, mask].
      const [query, values, mask] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor?];
      const params: AttentionParams = {
        W: this.W?.read(),
        Wq: this.Wq?.read(),
        Wk: this.Wk?.read(),
        v: this.v?.read(),
      };
      const { context, weights } = attention(query, values, values, {
        kind: this.kind,
        mask,
        params,
      });
      return [context, weights];
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [queryShape, valuesShape] = checkInputShapes(inputShape);
    const [batchSize, tgtLen] = queryShape;
    const [, srcLen, dv] = valuesShape;
    return [
      [batchSize, tgtLen, dv], // context
      [batchSize, tgtLen, srcLen], // weights
    ];
  }

  /** The outputs carry no Keras mask; an incoming implicit mask is ignored rather than rejected. */
  override computeMask(): tf.Tensor {
    // TF.js's own `Layer.computeMask` returns null for "no mask"; its declared type omits null.
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { kind: this.kind };
    if (this.units !== undefined) config.units = this.units;
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(AttentionLayer);

/** `new AttentionLayer(args)`, in the style of `tf.layers.*`. */
export function createAttentionLayer(args: AttentionLayerArgs): AttentionLayer {
  return new AttentionLayer(args);
}

/** The shape of a rank-3 input, [batch, length, depth]. */
type Shape3 = [number | null, number | null, number | null];
const isRank3 = (shape: tf.Shape): shape is Shape3 => shape.length === 3;

/** [queryShape, valuesShape], checked: [query, values] or [query, values, mask], ranks 3, 3, 2. */
function checkInputShapes(inputShape: tf.Shape | tf.Shape[]): [Shape3, Shape3] {
  const shapes = inputShape as tf.Shape[];
  const [queryShape, valuesShape, maskShape] = shapes;
  if (!Array.isArray(queryShape) || valuesShape === undefined || shapes.length > 3) {
    throw invalidArgument(
      'inputs',
      inputShape,
      'a list [query, values] or [query, values, mask] (one shape per tensor)',
    );
  }
  if (!isRank3(queryShape)) throw badAttentionShape('query', queryShape, '[batch, tgtLen, dq]');
  if (!isRank3(valuesShape)) {
    throw badAttentionShape('values', valuesShape, '[batch, srcLen, dv]');
  }
  if (maskShape !== undefined && maskShape.length !== 2) {
    throw badAttentionShape('mask', maskShape, '[batch, srcLen]');
  }
  return [queryShape, valuesShape];
}
