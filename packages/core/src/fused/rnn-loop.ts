/**
 * The simple RNN over a whole sequence on Float32Arrays (see loop-types.ts), TF.js's
 * SimpleRNN with its tanh activation (Elman 1990):
 *
 *   h_t = tanh(x_t W + b + h_{t-1} U)
 *
 * A masked step keeps h. Backward: dz = dh_t (1 - h_t^2), dh_{t-1} = dz U^T, dU = H_{t-1}^T dz.
 */

import { fastTanh } from './fast-tanh.js';
import type { LoopBackward, LoopForward, LoopInputs } from './loop-types.js';
import { addOutputGrad, isRealStep, loadStep, timeAt } from './loop-types.js';
import { addProduct, block, productTransposed } from './matmul.js';

export function rnnForward(inputs: LoopInputs): LoopForward {
  const { batchSize, timeSteps, units, mask, goBackwards } = inputs;
  const kernelU = block(Float64Array.from(inputs.recurrentKernel), units); // [units, units]
  const h = Float64Array.from(inputs.states[0]!); // [batch, units]
  const z = new Float64Array(batchSize * units); // [batch, units], one step
  const outputs = new Float32Array(batchSize * timeSteps * units);
  const slopes = new Float32Array(batchSize * timeSteps * units); // 1 - h_t^2
  const hPrev = new Float32Array(batchSize * timeSteps * units);
  for (let s = 0; s < timeSteps; s++) {
    const t = timeAt(s, timeSteps, goBackwards);
    loadStep(z, inputs, t, units);
    addProduct(block(z, units), block(h, units), kernelU, batchSize, units, units); // z += h U
    for (let b = 0; b < batchSize; b++) {
      const rb = (b * timeSteps + t) * units;
      const hb = b * units;
      if (isRealStep(mask, b * timeSteps + t)) {
        for (let j = 0; j < units; j++) {
          hPrev[rb + j] = h[hb + j]!;
          const v = fastTanh(z[hb + j]!);
          h[hb + j] = v;
          slopes[rb + j] = 1 - v * v;
        }
      }
      outputs.set(h.subarray(hb, hb + units), (b * timeSteps + s) * units);
    }
  }

  function backward(dOutputs: Float32Array | null, dStates: Float32Array[]): LoopBackward {
    const dh = Float64Array.from(dStates[0]!); // [batch, units]
    const dhPrev = new Float64Array(batchSize * units);
    const dz = new Float64Array(batchSize * units); // [batch, units], one step
    const dPre = new Float32Array(batchSize * timeSteps * units);
    for (let s = timeSteps - 1; s >= 0; s--) {
      const t = timeAt(s, timeSteps, goBackwards);
      for (let b = 0; b < batchSize; b++) {
        const rb = (b * timeSteps + t) * units;
        const hb = b * units;
        addOutputGrad(dh, dOutputs, b, s, timeSteps, units);
        if (!isRealStep(mask, b * timeSteps + t)) {
          dz.fill(0, hb, hb + units); // h passed through unchanged
          continue;
        }
        for (let j = 0; j < units; j++) {
          const d = dh[hb + j]! * slopes[rb + j]!;
          dz[hb + j] = d;
          dPre[rb + j] = d;
        }
      }
      // dh_{t-1} = dz U^T for the real rows; masked rows keep dh.
      productTransposed(block(dhPrev, units), block(dz, units), kernelU, batchSize, units, units);
      for (let b = 0; b < batchSize; b++) {
        if (isRealStep(mask, b * timeSteps + t))
          dh.set(dhPrev.subarray(b * units, (b + 1) * units), b * units);
      }
    }
    return {
      dPre,
      dRecurrent: null,
      dStates: [Float32Array.from(dh)],
      recurrentInputs: [{ rows: hPrev, columns: units }],
    };
  }

  return { outputs, states: [Float32Array.from(h)], backward };
}
