/**
 * The one place encdec reaches past TF.js's public API: the layer classes TF.js 4.22 registers
 * for deserialization but does not export (LSTM, GRU, SimpleRNN and GRUCell), which the fused
 * layers extend. TF.js puts them in its serialization registry (`tf.serialization.SerializationMap`)
 * when it loads; they are read from there by the name they are saved under.
 * test/core/fused/tfjs-internals.test.ts fails, naming what is missing, if a TF.js upgrade moves
 * or renames them.
 */
import * as tf from '@tensorflow/tfjs';
import { EncdecError } from '../errors.js';

/** The unexported TF.js classes the fused layers build on. */
export const TFJS_CLASSES = ['LSTM', 'GRU', 'SimpleRNN', 'GRUCell'] as const;
export type TfjsClassName = (typeof TFJS_CLASSES)[number];

/** The class TF.js registers under `className` (it does not export its layer classes). */
export function registeredClass(className: TfjsClassName): unknown {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) {
    throw new EncdecError(
      `TF.js ${tf.version_layers} registers no layer class "${className}", which encdec's fused recurrent layers extend (see fused/tfjs-internals.ts).`,
      'className',
    );
  }
  return entry[0];
}
