/**
 * `FusedSimpleRnn`: tf.layers.simpleRNN with the whole sequence run as one fused op (see
 * fused-layer.ts); same arguments, weights, config and results as the stock layer.
 */
import * as tf from '@tensorflow/tfjs';
import {
  fromConfigByConstructor,
  fusedOrStockCall,
  type RecurrentKwargs,
  stockRecurrentClass,
} from './fused-layer.js';

export type FusedSimpleRnnArgs = Parameters<typeof tf.layers.simpleRNN>[0];

const StockBase = stockRecurrentClass('SimpleRNN');

export class FusedSimpleRnn extends StockBase {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecFusedSimpleRnn';
  static fromConfig = fromConfigByConstructor;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: RecurrentKwargs): tf.Tensor | tf.Tensor[] {
    return fusedOrStockCall(this, 'rnn', inputs, kwargs, () => super.call(inputs, kwargs));
  }
}
tf.serialization.registerClass(FusedSimpleRnn);

/** `tf.layers.simpleRNN(args)`, fused. */
export function fusedSimpleRnn(args: FusedSimpleRnnArgs): tf.RNN {
  return new FusedSimpleRnn(args);
}
