/**
 * The recurrent cells of the encoder and decoder, and the update rule each one computes. The
 * layers built here run a whole sequence as one op (the fused layers in ../fused/); what they
 * compute is exactly the rule written below, which is all a reader of the model needs.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedGru } from '../fused/fused-gru.js';
import { FusedLstm } from '../fused/fused-lstm.js';
import { FusedSimpleRnn } from '../fused/fused-simple-rnn.js';
import type { CellKind, GateConfig } from './config.js';
import type { SeedSequence } from './stock-layers.js';

export interface RecurrentOptions extends Required<GateConfig> {
  name: string;
  units: number;
  returnSequences: boolean;
  dropout: number;
  seeds: SeedSequence;
}

/**
 * One recurrent layer that always returns its final state, so an encoder can hand it on and a
 * decoder can carry it from step to step. Update rules (x_t input, h_t state):
 * - rnn:  h_t = tanh(W x_t + U h_{t-1} + b)                               (Elman 1990)
 * - lstm: [i f g o] = W x_t + U h_{t-1} + b;  c_t = s(f) c_{t-1} + s(i) tanh(g);
 *         h_t = s(o) tanh(c_t)                   (Hochreiter & Schmidhuber 1997; Gers et al. 2000)
 * - gru:  z = s(.), r = s(.) gates; h_t = z h_{t-1} + (1 - z) hh, with resetAfter (Keras 2+,
 *         PyTorch) hh = tanh(W x_t + b + r (U h_{t-1} + b_r)), else hh = tanh(W x_t + U (r h_{t-1}) + b)
 *         (Cho et al. 2014)
 * s: the gate activation, the logistic sigmoid unless `recurrentActivation` says 'hardSigmoid'.
 * W: Glorot uniform, U: orthogonal (Saxe et al. 2014), b: zeros with the LSTM forget gate's at 1
 * (Jozefowicz et al. 2015); all Keras defaults. The layers are the fused ones (fused/fused-*.ts):
 * the stock classes with the whole sequence run as one op, same weights and results, about 2x
 * faster per layer forward and backward (bench/train-decode.bench.mjs).
 */
export function createRecurrent(cell: CellKind, options: RecurrentOptions): tf.layers.RNN {
  const { seeds } = options;
  const args = {
    name: options.name,
    units: options.units,
    returnSequences: options.returnSequences,
    returnState: true,
    dropout: options.dropout,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.take() }),
    recurrentInitializer: tf.initializers.orthogonal({ gain: 1, seed: seeds.take() }),
  };
  const gates = { ...args, recurrentActivation: options.recurrentActivation };
  if (cell === 'lstm') return new FusedLstm({ ...gates, unitForgetBias: true });
  if (cell === 'gru') return new FusedGru({ ...gates, resetAfter: options.resetAfter });
  return new FusedSimpleRnn(args);
}
