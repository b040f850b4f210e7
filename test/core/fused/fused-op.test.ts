/**
 * The fused recurrent layers compute what TF.js's stock layers compute, given the same weights:
 * outputs, final states and the gradients of a loss w.r.t. the inputs, the initial states and
 * every weight, with and without masks (masked steps carry the state through), in both reading
 * directions, with both returnSequences settings. The stock layers are the reference (they run
 * the step rules op by op), with the gate activation set explicitly on both sides (the fused
 * layers default to 'sigmoid', TF.js's to 'hardSigmoid'). The reset-after GRU, which TF.js does
 * not have, is checked against its own op-by-op step (FusedGru's stock call), and against
 * PyTorch in pytorch-cells.test.ts.
 */
import { FusedGru, FusedLstm, FusedSimpleRnn } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** gru: reset-before (TF.js's GRU); gruResetAfter: Keras 2+'s and PyTorch's. */
type Cell = 'lstm' | 'gru' | 'gruResetAfter' | 'rnn';
const BATCH = 6; // 4 + 2: the loops' 4 x 4 blocks and their edges (matmul.ts)
const STEPS = 5;
const INPUT_DIM = 4;
const UNITS = 5;

interface Case {
  cell: Cell;
  returnSequences: boolean;
  goBackwards: boolean;
  masked: boolean;
  initialState: boolean;
  gate?: 'sigmoid' | 'hardSigmoid';
  /** Default UNITS; multiples of 4 take encdec's loop kernels on wasm (wasm-recurrent.ts). */
  units?: number;
  /** Rows of the initial states: BATCH (default), or 1 to be broadcast over the batch. */
  stateRows?: number;
  /** Default true. */
  useBias?: boolean;
}

function layerArgs(c: Case, name: string) {
  return {
    name,
    units: c.units ?? UNITS,
    returnSequences: c.returnSequences,
    returnState: true,
    goBackwards: c.goBackwards,
    recurrentActivation: c.gate ?? 'hardSigmoid',
    useBias: c.useBias ?? true,
    kernelInitializer: tf.initializers.randomUniform({ minval: -0.8, maxval: 0.8, seed: 3 }),
    recurrentInitializer: tf.initializers.randomUniform({ minval: -0.8, maxval: 0.8, seed: 4 }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 5 }),
  };
}

/** FusedGru running its stock call: the RNN's loop over its cell's op-by-op step. */
class StockCallGru extends FusedGru {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict) {
    const stockClass = Object.getPrototypeOf(FusedGru.prototype) as tf.RNN;
    return stockClass.call.call(this, inputs, kwargs);
  }
}

function pair(c: Case): [tf.RNN, tf.RNN] {
  const args = () => layerArgs(c, `${c.cell}`); // the constructors write into their argument
  if (c.cell === 'lstm') return [tf.layers.lstm(args()), new FusedLstm(args())];
  if (c.cell === 'gru') {
    return [tf.layers.gru(args()), new FusedGru({ ...args(), resetAfter: false })];
  }
  if (c.cell === 'gruResetAfter') {
    return [new StockCallGru({ ...args(), resetAfter: true }), new FusedGru(args())];
  }
  return [tf.layers.simpleRNN(args()), new FusedSimpleRnn(args())];
}

/** Rows 0 and 3 real, 1 with leading, inner and trailing padding, 2 fully masked, 4-5 mixed. */
const MASK = [
  [1, 1, 1, 1, 1],
  [0, 1, 0, 1, 0],
  [0, 0, 0, 0, 0],
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [0, 0, 1, 1, 1],
];

/**
 * Outputs, states and gradients of a weighted sum of everything the layer returns; `weights`
 * replace the layer's own once it is built.
 */
function run(layer: tf.RNN, c: Case, weights?: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.variable(tf.randomNormal([BATCH, STEPS, INPUT_DIM], 0, 1, 'float32', 11));
    const states = Array.from({ length: c.cell === 'lstm' ? 2 : 1 }, (_, i) =>
      tf.variable(
        tf.randomNormal([c.stateRows ?? BATCH, c.units ?? UNITS], 0, 0.5, 'float32', 20 + i),
      ),
    );
    const mask = c.masked ? tf.tensor2d(MASK, undefined, 'bool') : undefined;
    const apply = () =>
      layer.apply(x, {
        ...(c.initialState ? { initialState: states } : {}),
        ...(mask ? { mask } : {}),
      }) as tf.Tensor[];
    apply(); // builds the weights
    if (weights) layer.setWeights(weights);
    const loss = () => {
      const outs = apply();
      const terms = outs.map((o, i) =>
        tf.sum(tf.mul(o, tf.randomNormal(o.shape, 0, 1, 'float32', 30 + i))),
      );
      return tf.addN(terms) as tf.Scalar;
    };
    const varList = [
      x,
      ...(c.initialState ? states : []),
      ...layer.trainableWeights.map((w) => w.read() as tf.Variable),
    ];
    const { grads } = tf.variableGrads(loss, varList);
    const values = apply().map((t) => t.dataSync() as Float32Array);
    const result = [...values, ...varList.map((v) => grads[v.name]!.dataSync() as Float32Array)];
    tf.dispose([x, ...states]);
    return result.map((r) => Float32Array.from(r));
  }) as unknown as Float32Array[];
}

function expectClose(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    expect(a.length).toBe(e.length);
    const scale = Math.max(1, ...Array.from(e, Math.abs));
    const worst = Math.max(...Array.from(e, (v, j) => Math.abs(a[j]! - v)));
    expect(worst / scale, `array ${i}`).toBeLessThan(1e-4);
  });
}

const cases: Case[] = [];
for (const cell of ['lstm', 'gru', 'gruResetAfter', 'rnn'] as const) {
  for (const returnSequences of [true, false]) {
    for (const goBackwards of [false, true]) {
      for (const masked of [false, true]) {
        cases.push({ cell, returnSequences, goBackwards, masked, initialState: masked });
      }
    }
  }
}
cases.push({
  cell: 'lstm',
  returnSequences: true,
  goBackwards: false,
  masked: true,
  initialState: true,
  gate: 'sigmoid',
});
for (const cell of ['lstm', 'gru', 'gruResetAfter', 'rnn'] as const) {
  cases.push({
    cell,
    returnSequences: true,
    goBackwards: false,
    masked: true,
    initialState: true,
    gate: 'sigmoid',
    useBias: false,
  });
}
for (const cell of ['gru', 'gruResetAfter'] as const) {
  cases.push({
    cell,
    returnSequences: true,
    goBackwards: true,
    masked: true,
    initialState: true,
    gate: 'sigmoid',
  });
}

function compare(c: Case): void {
  const before = tf.memory().numTensors;
  const [stock, fused] = pair(c);
  const expected = run(stock, c);
  const actual = run(fused, c, stock.getWeights());
  expectClose(actual, expected);
  stock.dispose();
  fused.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

/** Initial states [1, units], broadcast over the batch as the stock layers' arithmetic does. */
const broadcastCases = (units: number): Case[] =>
  (['lstm', 'gru', 'gruResetAfter', 'rnn'] as const).map((cell) => ({
    cell,
    returnSequences: true,
    goBackwards: false,
    masked: true,
    initialState: true,
    units,
    stateRows: 1,
  }));

describe('fused recurrent layers equal the stock layers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu'); // importing the wasm backend made it the default
  });
  it.each(cases)('%o', compare);
  it.each(broadcastCases(UNITS))('%o', compare);

  it('rejects initial states that do not broadcast to [batch, units], naming them', () => {
    const c: Case = { ...cases[0]!, initialState: true, stateRows: 4 };
    const fused = pair(c)[1];
    expect(() => run(fused, c)).toThrow(/initialState must be \[batch, units\] = \[6,5\]/);
    fused.dispose();
  });
});

// The backend the models train on: its matrix products (transposed ones included) feed the op.
describe('on the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  it.each(cases.filter((c) => c.masked && c.returnSequences))('%o', compare);

  // Every cell runs on encdec's wasm kernels: every setting, both gates; 6 units are padded
  // to 8 (loops.ts), as are the 5 units of the cases above.
  const wasmKernelCases = cases.flatMap((c) => [4, 6, 8, 12].map((units) => ({ ...c, units })));
  it.each(wasmKernelCases)('%o', compare);
  it.each(broadcastCases(8))('%o', compare);

  /** The kernels a fused layer of `cell` and `units` runs, forward and backward. */
  async function kernelsOf(cell: Cell, units: number) {
    const c: Case = { ...cases[0]!, cell, masked: true, initialState: true, units };
    const fused = pair(c)[1];
    const profile = await tf.profile(() => run(fused, c));
    fused.dispose();
    return new Set(profile.kernels.map((k) => k.name));
  }

  it.each([
    ['lstm', 'EncdecLstm'],
    ['gru', 'EncdecGru'],
    ['gruResetAfter', 'EncdecGruResetAfter'],
    ['rnn', 'EncdecRnn'],
  ] as const)('runs a %s of 8 units, and of 5 (padded), on the %s kernels', async (cell, name) => {
    for (const units of [8, 5]) {
      const names = await kernelsOf(cell, units);
      expect(names.has(name) && names.has(`${name}Grad`), `${units} units`).toBe(true);
    }
  });
});
