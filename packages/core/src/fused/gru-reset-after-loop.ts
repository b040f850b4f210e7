/**
 * The reset-after GRU over a whole sequence on Float32Arrays (see loop-types.ts): Keras
 * 2+'s GRU (reset_after=True, its default) and PyTorch's nn.GRU, which apply the reset gate after
 * the recurrent product (Cho et al. 2014 apply it before: gru-loop.ts), with two biases,
 * b_in (in xProj) and the recurrent b_rec. Gate order z, r, h, as Keras lays the weights out:
 *
 *   [x_z x_r x_h] = x_t W + b_in          [m_z m_r m_h] = h_{t-1} U + b_rec
 *   z = a(x_z + m_z)   r = a(x_r + m_r)    a: the gate activation
 *   hh = tanh(x_h + r m_h)                h_t = z h_{t-1} + (1 - z) hh
 *
 * A masked step keeps h. Backward, from the last step to the first:
 *
 *   dz_h = dh (1 - z)(1 - hh^2)           dz_z = dh (h_{t-1} - hh) a'(z_z)
 *   dz_r = dz_h m_h a'(z_r)               dPre = [dz_z dz_r dz_h]
 *   dm = [dz_z dz_r r dz_h]               dh_{t-1} = dh z + dm U^T,  dU = h_{t-1}^T dm
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

export function gruResetAfterForward(inputs: LoopInputs): LoopForward {
  const { batchSize, timeSteps, units, mask, goBackwards, gate } = inputs;
  const width = 3 * units;
  const sigmoid = gate === 'sigmoid';
  const kernelU = block(Float64Array.from(inputs.recurrentKernel), width); // [units, width]
  const bias = inputs.recurrentBias ?? new Float32Array(width); // b_rec [width]
  const h = Float64Array.from(inputs.states[0]!); // [batch, units]
  const x = new Float64Array(batchSize * width); // [batch, width], one step: x_t W + b_in
  const m = new Float64Array(batchSize * width); // [batch, width], one step: h_{t-1} U + b_rec
  const outputs = new Float32Array(batchSize * timeSteps * units);
  // Records, step-major ([step, batch, ...]) but hPrev, laid out like xProj for dU = hPrev^T dm;
  // hardSigmoid's slopes only (a sigmoid's come from its value). Empty without `record`.
  const record = inputs.record ?? true;
  const recorded = (size: number) => new Float32Array(record ? size : 0);
  const gates = recorded(batchSize * timeSteps * width); // z r hh
  const slopes = recorded(sigmoid ? 0 : batchSize * timeSteps * 2 * units); // a'(z_z) a'(z_r)
  const mh = recorded(batchSize * timeSteps * units); // m_h
  const hPrev = recorded(batchSize * timeSteps * units);
  for (let s = 0; s < timeSteps; s++) {
    const t = timeAt(s, timeSteps, goBackwards);
    loadStep(x, inputs, t, width);
    for (let b = 0; b < batchSize; b++) {
      for (let j = 0; j < width; j++) m[b * width + j] = bias[j]!;
    }
    addProduct(block(m, width), block(h, units), kernelU, batchSize, units, width); // m += h U
    for (let b = 0; b < batchSize; b++) {
      const row = b * timeSteps + t;
      const hb = b * units;
      if (isRealStep(mask, row)) {
        const zs = b * width;
        const gs = (s * batchSize + b) * width;
        const us = (s * batchSize + b) * units;
        for (let j = 0; j < units; j++) {
          const preZ = x[zs + j]! + m[zs + j]!;
          const preR = x[zs + units + j]! + m[zs + units + j]!;
          const z = sigmoid ? fastSigmoid(preZ) : gateValue(gate, preZ);
          const r = sigmoid ? fastSigmoid(preR) : gateValue(gate, preR);
          const mhj = m[zs + 2 * units + j]!;
          const hh = fastTanh(x[zs + 2 * units + j]! + r * mhj);
          const hp = h[hb + j]!;
          if (record) {
            hPrev[row * units + j] = hp;
            mh[us + j] = mhj;
            gates[gs + j] = z;
            gates[gs + units + j] = r;
            gates[gs + 2 * units + j] = hh;
            if (!sigmoid) {
              slopes[(s * batchSize + b) * 2 * units + j] = gateSlope(gate, preZ, z);
              slopes[(s * batchSize + b) * 2 * units + units + j] = gateSlope(gate, preR, r);
            }
          }
          h[hb + j] = z * hp + (1 - z) * hh;
        }
      }
      const ob = (b * timeSteps + s) * units;
      for (let j = 0; j < units; j++) outputs[ob + j] = h[hb + j]!;
    }
  }

  function backward(dOutputs: Float32Array | null, dStates: Float32Array[]): LoopBackward {
    if (!record) throw new Error('gruResetAfterForward ran without record: no backward pass');
    const dh = Float64Array.from(dStates[0]!); // [batch, units]
    const dhPrev = new Float64Array(batchSize * units);
    const dm = new Float64Array(batchSize * width); // [batch, width], one step
    const dPre = new Float32Array(batchSize * timeSteps * width);
    const dRecurrent = new Float32Array(batchSize * timeSteps * width);
    for (let s = timeSteps - 1; s >= 0; s--) {
      const t = timeAt(s, timeSteps, goBackwards);
      for (let b = 0; b < batchSize; b++) {
        const row = b * timeSteps + t;
        const hb = b * units;
        const zs = b * width;
        addOutputGrad(dh, dOutputs, b, s, timeSteps, units);
        if (!isRealStep(mask, row)) {
          dm.fill(0, zs, zs + width); // h passed through unchanged
          continue;
        }
        const gs = (s * batchSize + b) * width;
        const ss = (s * batchSize + b) * 2 * units;
        const us = (s * batchSize + b) * units;
        for (let j = 0; j < units; j++) {
          const z = gates[gs + j]!;
          const r = gates[gs + units + j]!;
          const hh = gates[gs + 2 * units + j]!;
          const slopeZ = sigmoid ? z * (1 - z) : slopes[ss + j]!;
          const slopeR = sigmoid ? r * (1 - r) : slopes[ss + units + j]!;
          const dhj = dh[hb + j]!;
          const dzh = dhj * (1 - z) * (1 - hh * hh);
          const dzz = dhj * (hPrev[row * units + j]! - hh) * slopeZ;
          const dzr = dzh * mh[us + j]! * slopeR;
          dPre[row * width + j] = dzz;
          dPre[row * width + units + j] = dzr;
          dPre[row * width + 2 * units + j] = dzh;
          dm[zs + j] = dzz;
          dm[zs + units + j] = dzr;
          dm[zs + 2 * units + j] = dzh * r;
        }
        for (let j = 0; j < width; j++) dRecurrent[row * width + j] = dm[zs + j]!;
      }
      // dh_{t-1} = dh z + dm U^T for the real rows; masked rows keep dh.
      productTransposed(block(dhPrev, units), block(dm, width), kernelU, batchSize, width, units);
      for (let b = 0; b < batchSize; b++) {
        if (!isRealStep(mask, b * timeSteps + t)) continue;
        const gs = (s * batchSize + b) * width;
        for (let j = 0; j < units; j++) {
          const k = b * units + j;
          dh[k] = dh[k]! * gates[gs + j]! + dhPrev[k]!;
        }
      }
    }
    return {
      dPre,
      dRecurrent,
      dStates: [Float32Array.from(dh)],
      recurrentInputs: [{ rows: hPrev, columns: width }],
    };
  }

  return { outputs, states: [Float32Array.from(h)], backward };
}
