/**
 * wasm's EncdecLstm / EncdecGru / EncdecGruResetAfter / EncdecRnn and their gradient kernels (the
 * loop over time, SIMD on the backend's memory) against the JavaScript loops
 * (fused/lstm-loop.ts, gru-loop.ts, gru-reset-after-loop.ts and
 * rnn-loop.ts, float64 sums, themselves checked against the stock layers and PyTorch in
 * test/core/layers/): outputs, final states, records and gradients, on
 * shapes around the products' 4-row and 8-column tiles, both gates, both reading directions,
 * with and without a mask; a loop without records; no leaked memory; bad units rejected. The
 * fused layers' tests check the whole op on these kernels against stock layers.
 */
import { initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  recurrentInputsOf,
  recurrentKernelNames,
  recurrentLoop,
  recurrentLoopGrad,
  recurrentLoopRuns,
} from '../../../../packages/core/src/backend/kernels/wasm-recurrent.js';
import {
  type RecurrentCell,
  type RecurrentGate,
  recurrentKernelFits,
} from '../../../../packages/core/src/backend/kernels/wasm-recurrent-specs.js';
import { gruForward } from '../../../../packages/core/src/fused/gru-loop.js';
import { gruResetAfterForward } from '../../../../packages/core/src/fused/gru-reset-after-loop.js';
import { lstmForward } from '../../../../packages/core/src/fused/lstm-loop.js';
import { rnnForward } from '../../../../packages/core/src/fused/rnn-loop.js';

type Heap = { numDataIds(): number };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const CELLS = ['lstm', 'gru', 'gruResetAfter', 'rnn'] as const;
const GATES = { lstm: 4, gru: 3, gruResetAfter: 3, rnn: 1 };
const STATES = { lstm: 2, gru: 1, gruResetAfter: 1, rnn: 1 };
const JS_LOOPS = {
  lstm: lstmForward,
  gru: gruForward,
  gruResetAfter: gruResetAfterForward,
  rnn: rnnForward,
};

interface Case {
  cell: RecurrentCell;
  batch: number;
  timeSteps: number;
  units: number;
  gate: RecurrentGate;
  goBackwards: boolean;
  masked: boolean;
}

function inputsOf(c: Case) {
  const { batch, timeSteps, units } = c;
  const mask = Float32Array.from({ length: batch * timeSteps }, (_, i) =>
    c.masked && (i % 5 === 2 || i < timeSteps) ? 0 : 1,
  ); // row 0 fully masked, others with gaps
  const width = GATES[c.cell] * units;
  const states = STATES[c.cell];
  return {
    xProj: tf.randomNormal([batch, timeSteps, width], 0, 1.5, 'float32', 1) as tf.Tensor3D,
    recurrentKernel: tf.randomNormal([units, width], 0, 0.4, 'float32', 2) as tf.Tensor2D,
    recurrentBias:
      c.cell === 'gruResetAfter'
        ? (tf.randomNormal([width], 0, 0.5, 'float32', 6) as tf.Tensor1D)
        : null,
    states: Array.from(
      { length: states },
      (_, i) => tf.randomNormal([batch, units], 0, 0.5 + i, 'float32', 3 + i) as tf.Tensor2D,
    ),
    mask: c.masked ? tf.tensor2d(mask, [batch, timeSteps]) : null,
    maskValues: c.masked ? mask : null,
    dy: tf.randomNormal([(timeSteps + states) * batch * units], 0, 1, 'float32', 5) as tf.Tensor1D,
  };
}

type Inputs = ReturnType<typeof inputsOf>;

function disposeInputs(t: Inputs): void {
  tf.dispose([t.xProj, t.recurrentKernel, ...t.states, t.dy]);
  t.mask?.dispose();
  t.recurrentBias?.dispose();
}

/** The largest difference relative to the reference's largest magnitude (at least 1). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

const cases: Case[] = [];
for (const cell of CELLS) {
  for (const [batch, timeSteps, units] of [
    [7, 9, 12], // rows 4 + 3; columns 8 + 4 in every product
    [64, 20, 32], // the Keras example's shape, shorter
    [3, 1, 4], // one step (a decoder step), rows below a tile
  ] as const) {
    for (const gate of ['hardSigmoid', 'sigmoid'] as const) {
      for (const goBackwards of [false, true]) {
        cases.push({ cell, batch, timeSteps, units, gate, goBackwards, masked: !goBackwards });
      }
    }
  }
}

describe('wasm recurrent loop kernels', () => {
  it('are registered for wasm only and take units in multiples of 4', () => {
    for (const cell of CELLS) {
      for (const name of recurrentKernelNames(cell)) {
        expect(tf.getKernel(name, 'wasm')).toBeDefined();
        expect(tf.getKernel(name, 'cpu')).toBeUndefined();
      }
      expect(recurrentLoopRuns(cell, 32)).toBe(true);
      expect(recurrentLoopRuns(cell, 30)).toBe(false);
    }
    expect([4, 8, 32].map(recurrentKernelFits)).toEqual([true, true, true]);
    expect([0, 5, 30].map(recurrentKernelFits)).toEqual([false, false, false]);
  });

  it.each(cases)('equal the JavaScript loop: %o', (c) => {
    const heap = tf.backend() as unknown as Heap;
    const before = heap.numDataIds();
    const { cell, batch, timeSteps, units } = c;
    const stateCount = STATES[cell];
    const t = inputsOf(c);
    const js = JS_LOOPS[cell]({
      batchSize: batch,
      timeSteps,
      units,
      xProj: t.xProj.dataSync() as Float32Array,
      recurrentKernel: t.recurrentKernel.dataSync() as Float32Array,
      recurrentBias: t.recurrentBias?.dataSync() as Float32Array | undefined,
      mask: t.maskValues,
      states: t.states.map((s) => s.dataSync() as Float32Array),
      goBackwards: c.goBackwards,
      gate: c.gate,
      record: true,
    });
    const attrs = { goBackwards: c.goBackwards, gate: c.gate };
    const { out, records } = recurrentLoop(cell, t, { ...attrs, record: true });
    // out, flat: the outputs [B, T, u], then the final states [B, u].
    const packed = out.dataSync();
    const outputSize = batch * timeSteps * units;
    const stateSize = batch * units;
    expect(packed.length).toBe(outputSize + stateCount * stateSize);
    expect(relativeError(packed.subarray(0, outputSize), js.outputs)).toBeLessThan(1e-5);
    for (const [i, state] of js.states.entries()) {
      const from = outputSize + i * stateSize;
      expect(relativeError(packed.subarray(from, from + stateSize), state)).toBeLessThan(1e-5);
    }
    // Without records: the same outputs, bit for bit, and one tensor.
    const plain = recurrentLoop(cell, t, { ...attrs, record: false });
    expect(plain.records).toBeNull();
    expect(plain.out.dataSync()).toEqual(out.dataSync());

    // Backward: dy split like out.
    const dy = t.dy.dataSync() as Float32Array;
    const dOutputs = dy.subarray(0, outputSize);
    const dStates = js.states.map((_, i) =>
      dy.subarray(outputSize + i * stateSize, outputSize + (i + 1) * stateSize),
    );
    const jsBack = js.backward(dOutputs, dStates);
    const back = recurrentLoopGrad(cell, t.dy, t.recurrentKernel, t.mask, records!, {
      ...attrs,
      batch,
      timeSteps,
    });
    // Gradients within 1e-4 (the bar for fused against stock layers): through 20 steps of an
    // RNN with these random weights, float32 rounding grows past 1e-5 of the largest value.
    expect(relativeError(back.dPre.dataSync(), jsBack.dPre)).toBeLessThan(1e-4);
    const dStatesWasm = back.dStates.dataSync();
    for (const [i, d] of jsBack.dStates.entries()) {
      const from = i * stateSize;
      expect(relativeError(dStatesWasm.subarray(from, from + stateSize), d)).toBeLessThan(1e-4);
    }
    if (jsBack.dRecurrent === null) {
      expect(back.dRecurrent).toBeNull();
    } else {
      expect(relativeError(back.dRecurrent!.dataSync(), jsBack.dRecurrent)).toBeLessThan(1e-4);
    }
    const groups = recurrentInputsOf(cell, records!, units);
    expect(groups.map((g) => g.columns)).toEqual(jsBack.recurrentInputs.map((g) => g.columns));
    for (const [i, group] of groups.entries()) {
      const expected = jsBack.recurrentInputs[i]!.rows;
      expect(relativeError(group.rows.dataSync(), expected)).toBeLessThan(1e-5);
    }

    tf.dispose([out, plain.out, back.dPre, back.dStates, ...records!]);
    back.dRecurrent?.dispose();
    disposeInputs(t);
    expect(heap.numDataIds()).toBe(before);
  });

  it.each(CELLS)('%s: carries the state through a fully masked row', (cell) => {
    const c: Case = {
      cell,
      batch: 5,
      timeSteps: 6,
      units: 8,
      gate: 'sigmoid',
      goBackwards: false,
      masked: true,
    };
    const t = inputsOf(c);
    const { out } = recurrentLoop(cell, t, {
      goBackwards: false,
      gate: 'sigmoid',
      record: false,
    });
    // Row 0 is fully masked: each output and the final h are h0 (and the final c is c0).
    const outputSize = c.batch * c.timeSteps * 8;
    const outputs = out.slice(0, outputSize).reshape([c.batch, c.timeSteps, 8]);
    const finals = out
      .slice(outputSize)
      .reshape<tf.Tensor3D>([STATES[cell], c.batch, 8])
      .arraySync();
    const h0 = t.states[0]!.arraySync()[0]!;
    for (const step of (outputs.arraySync() as number[][][])[0]!) expect(step).toEqual(h0);
    for (const [i, state] of finals.entries())
      expect(state[0]).toEqual(t.states[i]!.arraySync()[0]);
    tf.dispose([out, outputs]);
    disposeInputs(t);
  });

  it.each(CELLS)('%s: records zeros at skipped steps', (cell) => {
    const c: Case = {
      cell,
      batch: 5,
      timeSteps: 6,
      units: 8,
      gate: 'hardSigmoid',
      goBackwards: false,
      masked: true,
    };
    const t = inputsOf(c);
    const { out, records } = recurrentLoop(cell, t, {
      goBackwards: false,
      gate: 'hardSigmoid',
      record: true,
    });
    // Row 0 is fully masked. The LSTM and the reset-after GRU record gates step-major
    // [T, B, G u], the other GRU and the RNN [B, T, G u].
    const gates = records![0]!.arraySync() as number[][][];
    const stepMajor = cell === 'lstm' || cell === 'gruResetAfter';
    const row0 = stepMajor ? gates.map((step) => step[0]!) : gates[0]!;
    for (const values of row0) expect(values.every((v) => v === 0)).toBe(true);
    const other = stepMajor ? gates.map((step) => step[1]!) : gates[1]!;
    expect(other.some((values) => values.some((v) => v !== 0))).toBe(true);
    tf.dispose([out, ...records!]);
    disposeInputs(t);
  });

  it('rejects states and masks of another shape, naming them', () => {
    const c: Case = {
      cell: 'lstm',
      batch: 3,
      timeSteps: 2,
      units: 4,
      gate: 'sigmoid',
      goBackwards: false,
      masked: true,
    };
    const t = inputsOf(c);
    const attrs = { goBackwards: false, gate: 'sigmoid', record: false } as const;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    expect(() => recurrentLoop('lstm', { ...t, states: [one, t.states[1]!] }, attrs)).toThrow(
      /s0 must be float32 \[3,4\]/,
    );
    const mask = tf.ones([3, 3]) as tf.Tensor2D;
    expect(() => recurrentLoop('lstm', { ...t, mask }, attrs)).toThrow(
      /mask must be float32 \[3,2\]/,
    );
    const { records } = recurrentLoop('lstm', t, { ...attrs, record: true });
    expect(() =>
      recurrentLoopGrad('lstm', t.dy, t.recurrentKernel, t.mask, records!, {
        goBackwards: false,
        gate: 'sigmoid',
        batch: 3,
        timeSteps: 1,
      }),
    ).toThrow(/dy must be/);
    expect(() =>
      recurrentLoopGrad('lstm', t.dy, t.recurrentKernel, t.mask, records!.slice().reverse(), {
        goBackwards: false,
        gate: 'sigmoid',
        batch: 3,
        timeSteps: 2,
      }),
    ).toThrow(/r0 must be float32/);
    tf.dispose([one, mask, ...records!]);
    disposeInputs(t);
  });

  it('rejects units that are not a multiple of 4, naming the argument', () => {
    const xProj = tf.zeros([2, 3, 20]) as tf.Tensor3D;
    const recurrentKernel = tf.zeros([5, 20]) as tf.Tensor2D;
    const h = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() =>
      recurrentLoop(
        'lstm',
        { xProj, recurrentKernel, recurrentBias: null, states: [h, h], mask: null },
        { goBackwards: false, gate: 'sigmoid', record: false },
      ),
    ).toThrow(/recurrentKernel.*multiple of 4/s);
    tf.dispose([xProj, recurrentKernel, h]);
  });
});
