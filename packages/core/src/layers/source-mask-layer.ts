/**
 * `SourceMaskLayer`: token ids [batch, srcLen] -> padding mask [batch, srcLen] as float32, 1 for a
 * real token and 0 for padding (id 0), the mask input of `AttentionLayer`. TF.js has no Lambda
 * layer, so a functional model that derives the mask from its source input needs this small
 * registered layer; it has no weights, and saves and loads like any stock layer.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface SourceMaskLayerArgs extends LayerArgs {
  /** Treat id 0 as padding. false: every position is real (the mask is all ones). Default true. */
  maskZero?: boolean;
}

export class SourceMaskLayer extends tf.layers.Layer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecSourceMask';

  readonly maskZero: boolean;

  constructor(args: SourceMaskLayerArgs = {}) {
    super(args);
    const maskZero = args.maskZero ?? true;
    if (typeof maskZero !== 'boolean') throw invalidArgument('maskZero', maskZero, 'true or false');
    this.maskZero = maskZero;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const ids = Array.isArray(inputs) ? inputs[0]! : inputs; // [batch, srcLen]
      if (ids.rank !== 2) throw invalidArgument('inputs', ids.shape, 'token ids [batch, srcLen]');
      return this.maskZero ? tf.cast(tf.notEqual(ids, 0), 'float32') : tf.onesLike(ids).toFloat();
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  /** The output is itself the mask; it carries no Keras mask. */
  override computeMask(): tf.Tensor {
    // TF.js's `Layer.computeMask` returns null for "no mask"; its declared type omits null.
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maskZero: this.maskZero };
  }
}
tf.serialization.registerClass(SourceMaskLayer);
