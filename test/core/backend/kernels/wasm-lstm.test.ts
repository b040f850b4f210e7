/**
 * wasm's EncdecLstm and EncdecLstmGrad (the LSTM's loop over time, SIMD on the backend's memory)
 * against the JavaScript loop (layers/fused-lstm-kernel.ts, float64 sums, itself checked against
 * tf.layers.lstm in test/core/layers/fused-recurrent.test.ts): outputs, final states, records and
 * gradients, on shapes around the kernel's 4-row and 8-column tiles, both gates, both reading
 * directions, with and without a mask; a loop without records; no leaked memory; bad units
 * rejected. The fused layers' tests check the whole op on these kernels against stock layers.
 */
import { initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LSTM,
  LSTM_GRAD,
  type LstmGate,
  lstmKernelFits,
  lstmLoop,
  lstmLoopGrad,
  lstmLoopRuns,
} from '../../../../packages/core/src/backend/kernels/wasm-lstm.js';
import { lstmForward } from '../../../../packages/core/src/layers/fused-lstm-kernel.js';

type Heap = { numDataIds(): number };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

interface Case {
  batch: number;
  timeSteps: number;
  units: number;
  gate: LstmGate;
  goBackwards: boolean;
  masked: boolean;
}

function inputsOf(c: Case) {
  const { batch, timeSteps, units } = c;
  const mask = Float32Array.from({ length: batch * timeSteps }, (_, i) =>
    c.masked && (i % 5 === 2 || i < timeSteps) ? 0 : 1,
  ); // row 0 fully masked, others with gaps
  return {
    xProj: tf.randomNormal([batch, timeSteps, 4 * units], 0, 1.5, 'float32', 1) as tf.Tensor3D,
    recurrentKernel: tf.randomNormal([units, 4 * units], 0, 0.4, 'float32', 2) as tf.Tensor2D,
    h: tf.randomNormal([batch, units], 0, 0.5, 'float32', 3) as tf.Tensor2D,
    c: tf.randomNormal([batch, units], 0, 2, 'float32', 4) as tf.Tensor2D,
    mask: c.masked ? tf.tensor2d(mask, [batch, timeSteps]) : null,
    maskValues: c.masked ? mask : null,
    dy: tf.randomNormal([(timeSteps + 2) * batch * units], 0, 1, 'float32', 5) as tf.Tensor1D,
  };
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
for (const [batch, timeSteps, units] of [
  [7, 9, 12], // rows 4 + 3, columns 8 + 4 (backward) and 48 (forward)
  [64, 20, 32], // the seed model's shape, shorter
  [3, 1, 4], // one step (a decoder step), rows below a tile
] as const) {
  for (const gate of ['hardSigmoid', 'sigmoid'] as const) {
    for (const goBackwards of [false, true]) {
      cases.push({ batch, timeSteps, units, gate, goBackwards, masked: !goBackwards });
    }
  }
}

describe('wasm EncdecLstm and EncdecLstmGrad', () => {
  it('are registered for wasm only and take units in multiples of 4', () => {
    for (const name of [LSTM, LSTM_GRAD]) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(tf.getKernel(name, 'cpu')).toBeUndefined();
    }
    expect([4, 8, 32].map(lstmKernelFits)).toEqual([true, true, true]);
    expect([0, 5, 30].map(lstmKernelFits)).toEqual([false, false, false]);
    expect(lstmLoopRuns(32)).toBe(true);
    expect(lstmLoopRuns(30)).toBe(false);
  });

  it.each(cases)('equal the JavaScript loop: %o', (c) => {
    const heap = tf.backend() as unknown as Heap;
    const before = heap.numDataIds();
    const { batch, timeSteps, units } = c;
    const t = inputsOf(c);
    const js = lstmForward({
      batchSize: batch,
      timeSteps,
      units,
      xProj: t.xProj.dataSync() as Float32Array,
      recurrentKernel: t.recurrentKernel.dataSync() as Float32Array,
      mask: t.maskValues,
      states: [t.h.dataSync() as Float32Array, t.c.dataSync() as Float32Array],
      goBackwards: c.goBackwards,
      gate: c.gate,
      record: true,
    });
    const attrs = { goBackwards: c.goBackwards, gate: c.gate };
    const { out, records } = lstmLoop(t, { ...attrs, record: true });
    // out, flat: the outputs [B, T, u], then the final h and c [B, u].
    const packed = out.dataSync();
    const outputSize = batch * timeSteps * units;
    expect(packed.length).toBe(outputSize + 2 * batch * units);
    expect(relativeError(packed.subarray(0, outputSize), js.outputs)).toBeLessThan(1e-5);
    for (const [i, state] of js.states.entries()) {
      const from = outputSize + i * batch * units;
      expect(relativeError(packed.subarray(from, from + batch * units), state)).toBeLessThan(1e-5);
    }
    // Without records: the same outputs, bit for bit, and one tensor.
    const plain = lstmLoop(t, { ...attrs, record: false });
    expect(plain.records).toBeNull();
    expect(plain.out.dataSync()).toEqual(out.dataSync());

    // Backward: dy split like out.
    const dy = t.dy.dataSync() as Float32Array;
    const dOutputs = dy.subarray(0, outputSize);
    const dStates = [0, 1].map((i) =>
      dy.subarray(outputSize + i * batch * units, outputSize + (i + 1) * batch * units),
    );
    const jsBack = js.backward(dOutputs, dStates);
    const back = lstmLoopGrad(t.dy, t.recurrentKernel, t.mask, records!, attrs);
    expect(relativeError(back.dPre.dataSync(), jsBack.dPre)).toBeLessThan(1e-5);
    const [dh, dc] = back.dStates.arraySync().map((d) => d.flat());
    expect(relativeError(dh!, jsBack.dStates[0]!)).toBeLessThan(1e-5);
    expect(relativeError(dc!, jsBack.dStates[1]!)).toBeLessThan(1e-5);
    expect(relativeError(records!.hPrev.dataSync(), jsBack.recurrentInputs[0]!.rows)).toBeLessThan(
      1e-6,
    );

    tf.dispose([out, plain.out, back.dPre, back.dStates, ...Object.values(records!)]);
    tf.dispose(Object.values(t).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    expect(heap.numDataIds()).toBe(before);
  });

  it('carries h and c through a fully masked row, and a mask changes nothing where it is 1', () => {
    const c: Case = {
      batch: 5,
      timeSteps: 6,
      units: 8,
      gate: 'sigmoid',
      goBackwards: false,
      masked: true,
    };
    const t = inputsOf(c);
    const { out } = lstmLoop(t, { goBackwards: false, gate: 'sigmoid', record: false });
    // Row 0 is fully masked: each output and the final h are h0, the final c is c0.
    const outputs = out.slice(0, c.batch * c.timeSteps * 8).reshape([c.batch, c.timeSteps, 8]);
    const [h, cFinal] = out
      .slice(c.batch * c.timeSteps * 8)
      .reshape([2, c.batch, 8])
      .arraySync();
    const h0 = t.h.arraySync()[0]!;
    for (const step of (outputs.arraySync() as number[][][])[0]!) expect(step).toEqual(h0);
    expect(h![0]).toEqual(h0);
    expect(cFinal![0]).toEqual(t.c.arraySync()[0]);
    outputs.dispose();
    tf.dispose([out, ...Object.values(t).filter((v): v is tf.Tensor => v instanceof tf.Tensor)]);
  });

  it('rejects units that are not a multiple of 4, naming the argument', () => {
    const xProj = tf.zeros([2, 3, 20]) as tf.Tensor3D;
    const recurrentKernel = tf.zeros([5, 20]) as tf.Tensor2D;
    const h = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() =>
      lstmLoop(
        { xProj, recurrentKernel, h, c: h, mask: null },
        { goBackwards: false, gate: 'sigmoid', record: false },
      ),
    ).toThrow(/recurrentKernel.*multiple of 4/s);
    tf.dispose([xProj, recurrentKernel, h]);
  });
});
