/**
 * What the fused layers take from TF.js beyond its public API (fused/tfjs-internals.ts) is still
 * there: each class is registered under its name, is the class TF.js's own factory builds, and
 * its built cell has the weights and settings the fused call reads. A TF.js upgrade that moves
 * any of these fails here, by name, rather than somewhere inside a model.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  registeredClass,
  TFJS_CLASSES,
  type TfjsClassName,
} from '../../../packages/core/src/fused/tfjs-internals.js';

/** TF.js's public factory for each class the fused layers extend. */
const factories: Record<TfjsClassName, () => tf.layers.Layer> = {
  LSTM: () => tf.layers.lstm({ units: 2 }),
  GRU: () => tf.layers.gru({ units: 2 }),
  SimpleRNN: () => tf.layers.simpleRNN({ units: 2 }),
  GRUCell: () => tf.layers.gruCell({ units: 2 }),
};

describe('the TF.js internals the fused layers use', () => {
  it.each(TFJS_CLASSES)('TF.js registers %s as the class its factory builds', (name) => {
    const found = registeredClass(name);
    const built = factories[name]();
    expect(
      found,
      `TF.js ${tf.version_layers} no longer registers "${name}" in tf.serialization.SerializationMap: update packages/core/src/fused/tfjs-internals.ts`,
    ).toBe(built.constructor);
  });

  it.each(['LSTM', 'GRU', 'SimpleRNN'] as const)(
    "a built %s's cell has the fields the fused call reads",
    (name) => {
      const Stock = registeredClass(name) as new (args: object) => tf.RNN;
      const layer = new Stock({ units: 2 });
      layer.apply(tf.input({ shape: [3, 4] }));
      const cell = (layer as unknown as { cell: Record<string, unknown> }).cell;
      const fields = ['kernel', 'recurrentKernel', 'bias', 'dropout', 'recurrentDropout'];
      const missing = fields.filter((field) => cell[field] === undefined);
      expect(
        missing,
        `TF.js ${tf.version_layers}'s ${name} cell lacks what fused-layer.ts reads`,
      ).toEqual([]);
      expect((cell.activation as { getClassName(): string }).getClassName()).toBe('tanh');
      expect(layer.dispose().refCountAfterDispose).toBe(0);
    },
  );

  it('names the class and the file to update when a class is missing', () => {
    expect(() => registeredClass('NoSuchClass' as TfjsClassName)).toThrow(
      /registers no layer class "NoSuchClass".*tfjs-internals\.ts/,
    );
  });
});
