/**
 * `TransformerDecoderLayer`: one layer of the Transformer decoder (causal self-attention,
 * cross-attention over the encoder outputs, the position-wise feed-forward network; see
 * model/transformer-blocks.ts) as a registered layer that owns its weights, for the
 * Keras-equivalent model. The eager decoder calls `decoderLayer` with `params()` directly, with a
 * key/value cache when it decodes step by step.
 *
 *   layer.apply([y, memory, srcMask])   y [batch, tgtLen, dModel], memory [batch, srcLen, dMemory]
 *     (the encoder outputs), srcMask [batch, srcLen] 1 real, 0 padding  ->  [batch, tgtLen, dModel]
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import {
  type DecoderLayerParams,
  decoderLayer,
  projectKeyValues,
} from '../model/transformer-blocks.js';
import {
  TransformerBlockLayer,
  type TransformerBlockLayerArgs,
} from './transformer-block-layer.js';

export type TransformerDecoderLayerArgs = TransformerBlockLayerArgs;

export class TransformerDecoderLayer extends TransformerBlockLayer {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecTransformerDecoderLayer';

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [yShape, memoryShape] = checkInputs(inputShape);
    const dModel = this.modelWidth(yShape, 'y');
    const dMemory = memoryShape![2];
    if (typeof dMemory !== 'number') {
      throw invalidArgument('memory', memoryShape, '[batch, srcLen, dMemory] with dMemory known');
    }
    this.addNorm('norm1', dModel);
    this.addAttention('self', dModel, dModel);
    this.addNorm('norm2', dModel);
    this.addAttention('cross', dModel, dMemory);
    this.addNorm('norm3', dModel);
    this.addFeedForward('ff', dModel);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const [y, memory, srcMask] = inputs as tf.Tensor[];
      const p = this.params();
      const kv = projectKeyValues(memory as tf.Tensor3D, p.crossAttention, this.numHeads);
      const options = this.options(kwargs?.training ?? false);
      return decoderLayer(y as tf.Tensor3D, undefined, kv, srcMask!, p, options).output;
    });
  }

  /** The layer's weights for `decoderLayer` (its variables' values: read, do not dispose). */
  params(): DecoderLayerParams {
    return {
      norm1: this.normParams('norm1'),
      selfAttention: this.attentionParams('self'),
      norm2: this.normParams('norm2'),
      crossAttention: this.attentionParams('cross'),
      norm3: this.normParams('norm3'),
      feedForward: this.feedForwardParams('ff'),
    };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return checkInputs(inputShape)[0]!;
  }
}
tf.serialization.registerClass(TransformerDecoderLayer);

function checkInputs(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
  const shapes = inputShape as tf.Shape[];
  if (
    !Array.isArray(shapes[0]) ||
    shapes.length !== 3 ||
    shapes[1]?.length !== 3 ||
    shapes[2]?.length !== 2
  ) {
    throw invalidArgument(
      'inputs',
      inputShape,
      'a list [y [batch, tgtLen, dModel], memory [batch, srcLen, dMemory], srcMask [batch, srcLen]]',
    );
  }
  return shapes;
}
