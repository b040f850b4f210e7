/**
 * `fusedRecurrent`: a whole recurrent layer (LSTM, GRU or simple RNN), forward and backward, as
 * one differentiable op (`tf.customGrad`). Per-op overhead dominates stock TF.js recurrent layers
 * (a dozen small ops per time step, forward and backward; bench/PERFORMANCE.md), so the work
 * is split:
 *
 *   1. X W + b for every time step: one matrix product on the backend   [batch * timeSteps, G * units]
 *   2. the loop over time on Float32Arrays (fused-*-kernel.ts)           h_{t-1} U, gates, state
 *   3. backward: the loop over time again, from the end, giving dZ       [batch * timeSteps, G * units]
 *   4. dX = dZ W^T, dW = X^T dZ, dU = H^T dZ, db = sum dZ: matrix products on the backend
 *
 * G is the number of gate blocks: 4 (LSTM), 3 (GRU), 1 (RNN). Weights have the stock layers'
 * layout, so the op computes what tf.layers.lstm/gru/simpleRNN compute (equal within float32
 * rounding; the loop runs in float64).
 *
 * customGrad takes and returns one tensor, so the op returns the outputs and the final states
 * packed along the time axis, [batch, timeSteps + stateCount, units], and slices them apart.
 */
import * as tf from '@tensorflow/tfjs';
import { gruForward } from './fused-gru-kernel.js';
import type { GateActivation, KernelForward, KernelInputs } from './fused-kernel-types.js';
import { lstmForward } from './fused-lstm-kernel.js';
import { jsProducts } from './fused-matmul.js';
import { rnnForward } from './fused-rnn-kernel.js';
import { wasmProducts } from './wasm-products.js';

export const FUSED_CELLS = ['lstm', 'gru', 'rnn'] as const;
export type FusedCell = (typeof FUSED_CELLS)[number];

const kernels: Record<FusedCell, (inputs: KernelInputs) => KernelForward> = {
  lstm: lstmForward,
  gru: gruForward,
  rnn: rnnForward,
};
const GATE_BLOCKS: Record<FusedCell, number> = { lstm: 4, gru: 3, rnn: 1 };

export interface FusedRecurrentArgs {
  cell: FusedCell;
  /** [batch, timeSteps, inputDim], float32. */
  x: tf.Tensor3D;
  /** [h] or, for an LSTM, [h, c]; each [batch, units]. */
  initialStates: tf.Tensor2D[];
  /** [inputDim, G * units] */
  kernel: tf.Tensor2D;
  /** [units, G * units] */
  recurrentKernel: tf.Tensor2D;
  /** [G * units], or null (useBias false). */
  bias: tf.Tensor1D | null;
  /** [batch, timeSteps] (any dtype, non-zero: a real step), or null: every step is real. */
  mask: tf.Tensor | null;
  goBackwards: boolean;
  /** The gates' activation (LSTM, GRU); the RNN ignores it. */
  gate: GateActivation;
}

export interface FusedRecurrentResult {
  /** [batch, timeSteps, units]: h after each step, in reading order. */
  outputs: tf.Tensor3D;
  /** The final state, [h] or [h, c]; each [batch, units]. */
  states: tf.Tensor2D[];
}

export function fusedRecurrent(args: FusedRecurrentArgs): FusedRecurrentResult {
  const { cell, x, kernel, recurrentKernel, bias, goBackwards, gate } = args;
  const [batchSize, timeSteps, inputDim] = x.shape;
  const units = recurrentKernel.shape[0];
  const width = GATE_BLOCKS[cell] * units;
  const stateCount = args.initialStates.length;
  const mask = args.mask === null ? null : readMask(args.mask, batchSize, timeSteps);
  const packedSteps = timeSteps + stateCount;

  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = inputs.pop() as tf.GradSaveFunc;
    const [xIn, kernelIn, recurrentIn, ...rest] = inputs as tf.Tensor[];
    const biasIn = bias === null ? null : rest.shift()!;
    const statesIn = rest;
    // 1. The input projection of every step at once.
    const xProj = tf.tidy(() => {
      const x2d = tf.reshape(xIn!, [batchSize * timeSteps, inputDim]); // [batch * timeSteps, inputDim]
      const product = tf.matMul(x2d, kernelIn as tf.Tensor2D); // [batch * timeSteps, width]
      return biasIn === null ? product : tf.add(product, biasIn);
    });
    // 2. The loop over time.
    const forward = kernels[cell]({
      batchSize,
      timeSteps,
      units,
      xProj: xProj.dataSync() as Float32Array,
      recurrentKernel: recurrentIn!.dataSync() as Float32Array,
      mask,
      states: statesIn.map((s) => s.dataSync() as Float32Array),
      goBackwards,
      gate,
      record: gradientIsTaped(),
      products: () => wasmProducts() ?? jsProducts,
    });
    xProj.dispose();
    save([xIn!, kernelIn!]);
    const packed = new Float32Array(batchSize * packedSteps * units);
    for (let b = 0; b < batchSize; b++) {
      const rowSize = timeSteps * units;
      packed.set(forward.outputs.subarray(b * rowSize, (b + 1) * rowSize), b * packedSteps * units);
      forward.states.forEach((state, i) => {
        const at = (b * packedSteps + timeSteps + i) * units;
        packed.set(state.subarray(b * units, (b + 1) * units), at);
      });
    }
    const value = tf.tensor3d(packed, [batchSize, packedSteps, units]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xSaved, kernelSaved] = saved as [tf.Tensor3D, tf.Tensor2D];
      // Unpack dy like the value: the outputs' gradient, then each final state's.
      const dPacked = dy.dataSync() as Float32Array;
      const dOutputs = new Float32Array(batchSize * timeSteps * units);
      const dStates = Array.from({ length: stateCount }, () => new Float32Array(batchSize * units));
      for (let b = 0; b < batchSize; b++) {
        const from = b * packedSteps * units;
        dOutputs.set(dPacked.subarray(from, from + timeSteps * units), b * timeSteps * units);
        dStates.forEach((d, i) => {
          const at = from + (timeSteps + i) * units;
          d.set(dPacked.subarray(at, at + units), b * units);
        });
      }
      // 3. The loop over time, backward.
      const back = forward.backward(dOutputs, dStates);
      // 4. The products that reach the inputs and the weights.
      const dPre = tf.tensor2d(back.dPre, [batchSize * timeSteps, width]);
      const x2d = tf.reshape(xSaved, [batchSize * timeSteps, inputDim]);
      const dx = tf.reshape(tf.matMul(dPre, kernelSaved, false, true), [
        batchSize,
        timeSteps,
        inputDim,
      ]); // [batch, timeSteps, inputDim]
      const dKernel = tf.matMul(x2d, dPre, true, false); // [inputDim, width]
      let column = 0;
      const dRecurrentParts = back.recurrentInputs.map(({ rows, columns }) => {
        const h2d = tf.tensor2d(rows, [batchSize * timeSteps, units]);
        const part = tf.slice(dPre, [0, column], [-1, columns]);
        column += columns;
        return tf.matMul(h2d, part, true, false); // [units, columns]
      });
      const dRecurrent =
        dRecurrentParts.length === 1 ? dRecurrentParts[0]! : tf.concat(dRecurrentParts, 1);
      const grads: tf.Tensor[] = [dx, dKernel, dRecurrent];
      if (bias !== null) grads.push(tf.sum(dPre, 0)); // [width]
      for (const d of back.dStates) grads.push(tf.tensor2d(d, [batchSize, units]));
      return grads;
    };
    return { value, gradFunc };
  });

  const inputs: tf.Tensor[] = [x, kernel, recurrentKernel];
  if (bias !== null) inputs.push(bias);
  inputs.push(...args.initialStates);
  const packed = op(...inputs) as tf.Tensor3D; // [batch, timeSteps + stateCount, units]
  const outputs = tf.slice(packed, [0, 0, 0], [batchSize, timeSteps, units]) as tf.Tensor3D;
  const states = args.initialStates.map(
    (_, i) =>
      tf.reshape(tf.slice(packed, [0, timeSteps + i, 0], [batchSize, 1, units]), [
        batchSize,
        units,
      ]) as tf.Tensor2D, // [batch, units]
  );
  packed.dispose();
  return { outputs, states };
}

/** The mask as 1/0 floats [batch, timeSteps], read once. */
function readMask(mask: tf.Tensor, batchSize: number, timeSteps: number): Float32Array {
  const floats = tf.tidy(() =>
    tf.cast(tf.notEqual(tf.reshape(mask, [batchSize, timeSteps]), 0), 'float32'),
  );
  const values = floats.dataSync() as Float32Array;
  floats.dispose();
  return values;
}

/**
 * Whether TF.js is recording a gradient tape (inside tf.grads, variableGrads, optimizer.minimize
 * ...): only then does the backward pass need what the forward pass can record. TF.js 4.22 keeps
 * the count in its engine state (engine.ts, `startTape`); an engine without it counts as taping.
 */
function gradientIsTaped(): boolean {
  const depth = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state
    ?.gradientDepth;
  return depth === undefined || depth > 0;
}
