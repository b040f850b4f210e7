/**
 * The fused LSTM and GRU layers compute what PyTorch computes, given the same weights: outputs,
 * final states and the gradients of a fixed weighted sum of them w.r.t. the inputs, the initial
 * states and every weight, on the cpu backend (the JavaScript loops) and on wasm (encdec's SIMD
 * kernels, 6 units padded to 8 and 8 unpadded). Both gate activations of the LSTM, both GRU forms,
 * both gates of each GRU form. The golden values come from PyTorch (nn.LSTM, nn.GRU and, for the
 * cells PyTorch lacks, the same equations with autograd), in float64, written by
 * test/fixtures/pytorch/make-fixtures.py, whose comment maps the gate orders.
 */
import { readFileSync } from 'node:fs';
import { FusedGru, FusedLstm, type GateActivation, initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose } from '../backend/expect-close.js';

interface CellCase {
  name: string;
  cell: 'lstm' | 'gru';
  units: number;
  recurrentActivation: GateActivation;
  resetAfter: boolean;
  shapes: Record<string, number[]>;
  inputs: Record<string, number[]>;
  lossWeights: number[][];
  outputs: number[];
  finalStates: number[][];
  grads: Record<string, number[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/pytorch/cells.json', import.meta.url), 'utf8'),
) as { cases: CellCase[] };

/** float32 against float64 over 5 steps: rounding stays well below this. */
const TOLERANCE = 1e-5;

afterAll(async () => {
  await tf.setBackend('cpu');
});

function layerOf(c: CellCase): tf.RNN {
  const args = {
    units: c.units,
    returnSequences: true,
    returnState: true,
    recurrentActivation: c.recurrentActivation,
  };
  return c.cell === 'lstm'
    ? new FusedLstm(args)
    : new FusedGru({ ...args, resetAfter: c.resetAfter });
}

/** Outputs, final states, then the gradients in the fixture's order (x, h0, [c0,] weights). */
function run(c: CellCase): { values: Float32Array[]; gradNames: string[] } {
  const tensor = (name: string) => tf.tensor(c.inputs[name]!, c.shapes[name]!, 'float32');
  const stateNames = c.cell === 'lstm' ? ['h0', 'c0'] : ['h0'];
  const layer = layerOf(c);
  const values = tf.tidy(() => {
    const x = tf.variable(tensor('x'));
    const states = stateNames.map((name) => tf.variable(tensor(name)));
    const apply = () => layer.apply(x, { initialState: states }) as tf.Tensor[];
    apply(); // builds the weights
    layer.setWeights(['kernel', 'recurrentKernel', 'bias'].map(tensor));
    const loss = () => {
      const terms = apply().map((t, i) =>
        tf.sum(tf.mul(t, tf.tensor(c.lossWeights[i]!, t.shape, 'float32'))),
      );
      return tf.addN(terms) as tf.Scalar;
    };
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const varList = [x, ...states, ...weights];
    const { grads } = tf.variableGrads(loss, varList);
    const result = [
      ...apply().map((t) => t.dataSync() as Float32Array),
      ...varList.map((v) => grads[v.name]!.dataSync() as Float32Array),
    ].map((r) => Float32Array.from(r));
    tf.dispose([x, ...states]);
    return result;
  }) as unknown as Float32Array[];
  layer.dispose();
  return { values, gradNames: ['x', ...stateNames, 'kernel', 'recurrentKernel', 'bias'] };
}

describe.each(['cpu', 'wasm'] as const)('on %s, equal PyTorch', (backend) => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await initBackend({ backend, log: null });
    const before = tf.memory().numTensors;
    const { values, gradNames } = run(c);
    const [outputs, ...rest] = values;
    expectAllClose(outputs!, c.outputs, TOLERANCE);
    for (const [i, state] of c.finalStates.entries()) expectAllClose(rest[i]!, state, TOLERANCE);
    const grads = rest.slice(c.finalStates.length);
    for (const [i, name] of gradNames.entries()) {
      expectAllClose(grads[i]!, c.grads[name]!, TOLERANCE);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
