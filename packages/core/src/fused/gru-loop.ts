/**
 * The GRU over a whole sequence on Float32Arrays (see loop-types.ts), with TF.js 4.22's
 * update rule (Cho et al. 2014; the reset gate applied before the recurrent product, Keras'
 * reset_after=false, the only form tf.layers.gru has), gate order z, r, h:
 *
 *   [x_z x_r x_h] = x_t W + b             U = [U_z U_r U_h], each [units, units]
 *   z = a(x_z + h_{t-1} U_z)   r = a(x_r + h_{t-1} U_r)    a: the gate activation
 *   hh = tanh(x_h + (r h_{t-1}) U_h)      h_t = z h_{t-1} + (1 - z) hh
 *
 * A masked step keeps h. Backward, from the last step to the first:
 *
 *   dz_h = dh (1 - z)(1 - hh^2)           d(r h) = dz_h U_h^T
 *   dz_z = dh (h_{t-1} - hh) a'(.)        dz_r = d(r h) h_{t-1} a'(.)
 *   dh_{t-1} = dh z + d(r h) r + [dz_z dz_r] [U_z U_r]^T
 *   dU = [h_{t-1}^T [dz_z dz_r],  (r h_{t-1})^T dz_h]
 */
import { fastTanh } from './fast-tanh.js';
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

export function gruForward(inputs: LoopInputs): LoopForward {
  const { batchSize, timeSteps, units, mask, goBackwards, gate } = inputs;
  const width = 3 * units;
  const kernel = Float64Array.from(inputs.recurrentKernel); // [units, width]
  const kernelZr = block(kernel, width, 0); // [U_z U_r]
  const kernelH = block(kernel, width, 2 * units); // U_h
  const h = Float64Array.from(inputs.states[0]!); // [batch, units]
  const z = new Float64Array(batchSize * width); // [batch, width], one step
  const reset = new Float64Array(batchSize * units); // r h_{t-1}, one step
  const outputs = new Float32Array(batchSize * timeSteps * units);
  const gates = new Float32Array(batchSize * timeSteps * width); // z r hh
  const slopes = new Float32Array(batchSize * timeSteps * width);
  const hPrev = new Float32Array(batchSize * timeSteps * units);
  const resetPrev = new Float32Array(batchSize * timeSteps * units);
  for (let s = 0; s < timeSteps; s++) {
    const t = timeAt(s, timeSteps, goBackwards);
    loadStep(z, inputs, t, width);
    // [z_z z_r] += h [U_z U_r]
    addProduct(block(z, width), block(h, units), kernelZr, batchSize, units, 2 * units);
    for (let b = 0; b < batchSize; b++) {
      const row = b * timeSteps + t;
      const zs = b * width;
      const zb = row * width;
      const hb = b * units;
      for (let j = 0; j < 2 * units; j++) {
        const v = gateValue(gate, z[zs + j]!);
        gates[zb + j] = v;
        slopes[zb + j] = gateSlope(gate, z[zs + j]!, v);
      }
      for (let j = 0; j < units; j++) {
        reset[hb + j] = gates[zb + units + j]! * h[hb + j]!;
      }
    }
    // z_h += (r h) U_h
    addProduct(block(z, width, 2 * units), block(reset, units), kernelH, batchSize, units, units);
    for (let b = 0; b < batchSize; b++) {
      const row = b * timeSteps + t;
      const zs = b * width;
      const zb = row * width;
      const hb = b * units;
      if (isRealStep(mask, row)) {
        for (let j = 0; j < units; j++) {
          hPrev[row * units + j] = h[hb + j]!;
          resetPrev[row * units + j] = reset[hb + j]!;
          const hh = fastTanh(z[zs + 2 * units + j]!);
          const zj = gates[zb + j]!;
          gates[zb + 2 * units + j] = hh;
          slopes[zb + 2 * units + j] = 1 - hh * hh;
          h[hb + j] = zj * h[hb + j]! + (1 - zj) * hh;
        }
      }
      outputs.set(h.subarray(hb, hb + units), (b * timeSteps + s) * units);
    }
  }

  function backward(dOutputs: Float32Array | null, dStates: Float32Array[]): LoopBackward {
    const dh = Float64Array.from(dStates[0]!); // [batch, units]
    const dz = new Float64Array(batchSize * width); // [batch, width], one step
    const dReset = new Float64Array(batchSize * units); // d(r h_{t-1})
    const dhPrev = new Float64Array(batchSize * units);
    const dPre = new Float32Array(batchSize * timeSteps * width);
    for (let s = timeSteps - 1; s >= 0; s--) {
      const t = timeAt(s, timeSteps, goBackwards);
      for (let b = 0; b < batchSize; b++) {
        const row = b * timeSteps + t;
        const hb = b * units;
        const zs = b * width;
        addOutputGrad(dh, dOutputs, b, s, timeSteps, units);
        if (!isRealStep(mask, row)) {
          dz.fill(0, zs, zs + width); // h passed through unchanged
          continue;
        }
        const zb = row * width;
        for (let j = 0; j < units; j++) {
          const dhj = dh[hb + j]!;
          const hh = gates[zb + 2 * units + j]!;
          dz[zs + j] = dhj * (hPrev[row * units + j]! - hh) * slopes[zb + j]!;
          dz[zs + 2 * units + j] = dhj * (1 - gates[zb + j]!) * slopes[zb + 2 * units + j]!;
        }
      }
      // d(r h) = dz_h U_h^T
      productTransposed(
        block(dReset, units),
        block(dz, width, 2 * units),
        kernelH,
        batchSize,
        units,
        units,
      );
      for (let b = 0; b < batchSize; b++) {
        const row = b * timeSteps + t;
        if (!isRealStep(mask, row)) continue;
        const zs = b * width;
        const zb = row * width;
        const hb = b * units;
        for (let j = 0; j < units; j++) {
          dz[zs + units + j] = dReset[hb + j]! * hPrev[row * units + j]! * slopes[zb + units + j]!;
        }
        for (let j = 0; j < width; j++) dPre[zb + j] = dz[zs + j]!;
      }
      // dh_{t-1} = dh z + d(r h) r + [dz_z dz_r] [U_z U_r]^T for the real rows
      productTransposed(
        block(dhPrev, units),
        block(dz, width),
        kernelZr,
        batchSize,
        2 * units,
        units,
      );
      for (let b = 0; b < batchSize; b++) {
        const row = b * timeSteps + t;
        if (!isRealStep(mask, row)) continue;
        const zb = row * width;
        const hb = b * units;
        for (let j = 0; j < units; j++) {
          dh[hb + j] =
            dhPrev[hb + j]! +
            dh[hb + j]! * gates[zb + j]! +
            dReset[hb + j]! * gates[zb + units + j]!;
        }
      }
    }
    return {
      dPre,
      dRecurrent: null,
      dStates: [Float32Array.from(dh)],
      recurrentInputs: [
        { rows: hPrev, columns: 2 * units },
        { rows: resetPrev, columns: units },
      ],
    };
  }

  return { outputs, states: [Float32Array.from(h)], backward };
}
