/**
 * `FusedLstm`: tf.layers.lstm with the whole sequence run as one fused op (see
 * fused-layer.ts); same arguments, weights, config and results as the stock layer, but for
 * the gates' default: the logistic sigmoid (`recurrentActivation: 'sigmoid'`), as Keras 2+'s
 * LSTM and PyTorch's nn.LSTM compute, where TF.js defaults to 'hardSigmoid' (still available).
 */
import * as tf from '@tensorflow/tfjs';
import {
  fromConfigByConstructor,
  fusedOrStockCall,
  type RecurrentKwargs,
  stockRecurrentClass,
} from './fused-layer.js';

export type FusedLstmArgs = Parameters<typeof tf.layers.lstm>[0];

const StockBase = stockRecurrentClass('LSTM');

export class FusedLstm extends StockBase {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecFusedLstm';
  static fromConfig = fromConfigByConstructor;

  constructor(args: FusedLstmArgs) {
    super({ ...args, recurrentActivation: args.recurrentActivation ?? 'sigmoid' });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: RecurrentKwargs): tf.Tensor | tf.Tensor[] {
    return fusedOrStockCall(this, 'lstm', inputs, kwargs, () => super.call(inputs, kwargs));
  }
}
tf.serialization.registerClass(FusedLstm);

/** `tf.layers.lstm(args)`, fused, with sigmoid gates by default. */
export function fusedLstm(args: FusedLstmArgs): tf.RNN {
  return new FusedLstm(args);
}
