/**
 * `FusedGru`: tf.layers.gru with the whole sequence run as one fused op (see
 * fused-recurrent.ts); same arguments, weights, config and results as the stock layer.
 */
import * as tf from '@tensorflow/tfjs';
import {
  fromConfigByConstructor,
  fusedOrStockCall,
  stockRecurrentClass,
} from './fused-recurrent.js';

export type FusedGruArgs = Parameters<typeof tf.layers.gru>[0];

const StockBase = stockRecurrentClass('GRU');

export class FusedGru extends StockBase {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecFusedGru';
  static fromConfig = fromConfigByConstructor;

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] {
    return fusedOrStockCall(this, 'gru', inputs, kwargs, () => super.call(inputs, kwargs));
  }
}
tf.serialization.registerClass(FusedGru);

/** `tf.layers.gru(args)`, fused. */
export function fusedGru(args: FusedGruArgs): tf.RNN {
  return new FusedGru(args);
}
