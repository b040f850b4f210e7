/**
 * `TransformerEncoderLayer`: one layer of the Transformer encoder (self-attention, then the
 * position-wise feed-forward network, each a residual sub-layer with LayerNorm; see
 * model/transformer-blocks.ts) as a registered layer that owns its weights, so that the
 * Keras-equivalent model of a Transformer saves, loads and counts its parameters.
 *
 *   layer.apply([x, srcMask])   x [batch, srcLen, dModel], srcMask [batch, srcLen] 1 real, 0 padding
 *     -> [batch, srcLen, dModel]
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { type EncoderLayerParams, encoderLayer } from '../model/transformer-blocks.js';
import {
  TransformerBlockLayer,
  type TransformerBlockLayerArgs,
} from './transformer-block-layer.js';

export type TransformerEncoderLayerArgs = TransformerBlockLayerArgs;

export class TransformerEncoderLayer extends TransformerBlockLayer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecTransformerEncoderLayer';

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape] = checkInputs(inputShape);
    const dModel = this.modelWidth(xShape, 'x');
    this.addNorm('norm1', dModel);
    this.addAttention('self', dModel, dModel);
    this.addNorm('norm2', dModel);
    this.addFeedForward('ff', dModel);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const [x, srcMask] = inputs as tf.Tensor[];
      const options = this.options(kwargs?.training ?? false);
      return encoderLayer(x as tf.Tensor3D, srcMask!, this.params(), options).output;
    });
  }

  /** The layer's weights for `encoderLayer` (its variables' values: read, do not dispose). */
  params(): EncoderLayerParams {
    return {
      norm1: this.normParams('norm1'),
      selfAttention: this.attentionParams('self'),
      norm2: this.normParams('norm2'),
      feedForward: this.feedForwardParams('ff'),
    };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return checkInputs(inputShape)[0]!;
  }
}
tf.serialization.registerClass(TransformerEncoderLayer);

function checkInputs(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
  const shapes = inputShape as tf.Shape[];
  if (!Array.isArray(shapes[0]) || shapes.length !== 2 || shapes[1]?.length !== 2) {
    throw invalidArgument(
      'inputs',
      inputShape,
      'a list [x [batch, srcLen, dModel], srcMask [batch, srcLen]]',
    );
  }
  return shapes;
}
