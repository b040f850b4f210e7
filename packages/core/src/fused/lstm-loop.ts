/**
 * The LSTM over a whole sequence on Float32Arrays (see loop-types.ts), with TF.js's
 * update rule and gate order (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000):
 *
 *   z = x_t W + b + h_{t-1} U             z = [z_i z_f z_c z_o], each [units]
 *   i = a(z_i)  f = a(z_f)  g = tanh(z_c)  o = a(z_o)    a: the gate activation
 *   c_t = f c_{t-1} + i g                 h_t = o tanh(c_t)
 *
 * A masked step keeps h and c (and outputs h_{t-1}), as Keras' rnn() does. Backward, by the chain
 * rule on the same lines, from the last step to the first:
 *
 *   dc = dc_t + dh_t o (1 - tanh^2 c_t)
 *   dz_i = dc g a'(z_i)   dz_f = dc c_{t-1} a'(z_f)   dz_c = dc i (1 - g^2)   dz_o = dh_t tanh(c_t) a'(z_o)
 *   dc_{t-1} = dc f       dh_{t-1} = dz U^T
 */

import { fastSigmoid, fastTanh } from './fast-tanh.js';
import {
  addOutputGrad,
  gateSlope,
  gateValue,
  isRealStep,
  type LoopBackward,
  type LoopForward,
  type LoopInputs,
  loadStep,
  timeAt,
} from './loop-types.js';
import { addProduct, block, productTransposed } from './matmul.js';

export function lstmForward(inputs: LoopInputs): LoopForward {
  const { batchSize, timeSteps, units, mask, goBackwards, gate } = inputs;
  const width = 4 * units;
  const sigmoid = gate === 'sigmoid';
  const kernelU = block(Float64Array.from(inputs.recurrentKernel), width); // [units, width]
  const h = Float64Array.from(inputs.states[0]!); // [batch, units]
  const c = Float64Array.from(inputs.states[1]!); // [batch, units]
  const z = new Float64Array(batchSize * width); // [batch, width], one step
  const outputs = new Float32Array(batchSize * timeSteps * units);
  // Recorded for the backward pass, step-major ([step, batch, ...], one contiguous block a step)
  // but for hPrev, which dU = hPrev^T dZ needs laid out like xProj ([batch, time, units]). A
  // sigmoid's slope comes from its value, s (1 - s); hardSigmoid's slopes are recorded. Without
  // `record` (no gradient taken) these stay empty and the loop skips writing them.
  const record = inputs.record ?? true;
  const recorded = (size: number) => new Float32Array(record ? size : 0);
  const gates = recorded(batchSize * timeSteps * width); // i f g o
  const slopes = recorded(sigmoid ? 0 : batchSize * timeSteps * width); // a'(z_i) a'(z_f) - a'(z_o)
  const hPrev = recorded(batchSize * timeSteps * units);
  const cPrev = recorded(batchSize * timeSteps * units);
  const cTanh = recorded(batchSize * timeSteps * units); // tanh(c_t)
  for (let s = 0; s < timeSteps; s++) {
    const t = timeAt(s, timeSteps, goBackwards);
    loadStep(z, inputs, t, width);
    addProduct(block(z, width), block(h, units), kernelU, batchSize, units, width); // z += h U
    for (let b = 0; b < batchSize; b++) {
      const row = b * timeSteps + t; // [batch, time] position of this step's input
      const hb = b * units;
      if (isRealStep(mask, row)) {
        const zs = b * width;
        const gs = (s * batchSize + b) * width; // step-major record of this row
        const us = (s * batchSize + b) * units;
        for (let j = 0; j < units; j++) {
          const zi = z[zs + j]!;
          const zf = z[zs + units + j]!;
          const zo = z[zs + 3 * units + j]!;
          const i = sigmoid ? fastSigmoid(zi) : gateValue(gate, zi);
          const f = sigmoid ? fastSigmoid(zf) : gateValue(gate, zf);
          const o = sigmoid ? fastSigmoid(zo) : gateValue(gate, zo);
          const g = fastTanh(z[zs + 2 * units + j]!);
          const cp = c[hb + j]!;
          const cNew = f * cp + i * g;
          const tc = fastTanh(cNew);
          if (record) {
            hPrev[row * units + j] = h[hb + j]!;
            cPrev[us + j] = cp;
            cTanh[us + j] = tc;
            gates[gs + j] = i;
            gates[gs + units + j] = f;
            gates[gs + 2 * units + j] = g;
            gates[gs + 3 * units + j] = o;
            if (!sigmoid) {
              slopes[gs + j] = gateSlope(gate, zi, i);
              slopes[gs + units + j] = gateSlope(gate, zf, f);
              slopes[gs + 3 * units + j] = gateSlope(gate, zo, o);
            }
          }
          c[hb + j] = cNew;
          h[hb + j] = o * tc;
        }
      }
      const ob = (b * timeSteps + s) * units; // a loop, not set(subarray): no view per row
      for (let j = 0; j < units; j++) outputs[ob + j] = h[hb + j]!;
    }
  }

  function backward(dOutputs: Float32Array | null, dStates: Float32Array[]): LoopBackward {
    if (!record) throw new Error('lstmForward ran without record: there is no backward pass');
    const dh = Float64Array.from(dStates[0]!); // [batch, units]
    const dc = Float64Array.from(dStates[1]!); // [batch, units]
    const dhPrev = new Float64Array(batchSize * units);
    const dz = new Float64Array(batchSize * width); // [batch, width], one step
    const dPre = new Float32Array(batchSize * timeSteps * width);
    for (let s = timeSteps - 1; s >= 0; s--) {
      const t = timeAt(s, timeSteps, goBackwards);
      for (let b = 0; b < batchSize; b++) {
        const row = b * timeSteps + t;
        const hb = b * units;
        const zs = b * width;
        addOutputGrad(dh, dOutputs, b, s, timeSteps, units);
        if (!isRealStep(mask, row)) {
          dz.fill(0, zs, zs + width); // h and c passed through unchanged
          continue;
        }
        const gs = (s * batchSize + b) * width;
        const us = (s * batchSize + b) * units;
        for (let j = 0; j < units; j++) {
          const i = gates[gs + j]!;
          const f = gates[gs + units + j]!;
          const g = gates[gs + 2 * units + j]!;
          const o = gates[gs + 3 * units + j]!;
          const si = sigmoid ? i * (1 - i) : slopes[gs + j]!;
          const sf = sigmoid ? f * (1 - f) : slopes[gs + units + j]!;
          const so = sigmoid ? o * (1 - o) : slopes[gs + 3 * units + j]!;
          const cp = cPrev[us + j]!;
          const tc = cTanh[us + j]!;
          const dhj = dh[hb + j]!;
          const dcj = dc[hb + j]! + dhj * o * (1 - tc * tc);
          dz[zs + j] = dcj * g * si;
          dz[zs + units + j] = dcj * cp * sf;
          dz[zs + 2 * units + j] = dcj * i * (1 - g * g);
          dz[zs + 3 * units + j] = dhj * tc * so;
          dc[hb + j] = dcj * f;
        }
        for (let j = 0; j < width; j++) dPre[row * width + j] = dz[zs + j]!;
      }
      // dh_{t-1} = dz U^T for the real rows; masked rows keep dh.
      productTransposed(block(dhPrev, units), block(dz, width), kernelU, batchSize, width, units);
      for (let b = 0; b < batchSize; b++) {
        if (isRealStep(mask, b * timeSteps + t)) {
          for (let j = b * units; j < (b + 1) * units; j++) dh[j] = dhPrev[j]!;
        }
      }
    }
    return {
      dPre,
      dRecurrent: null,
      dStates: [Float32Array.from(dh), Float32Array.from(dc)],
      recurrentInputs: [{ rows: hPrev, columns: width }],
    };
  }

  return { outputs, states: [Float32Array.from(h), Float32Array.from(c)], backward };
}
