/**
 * The loop over time of the fused op (fused-recurrent-op.ts, steps 2 and 3), in one of two ways:
 *
 * - `wasmLoop`: an LSTM or GRU on the wasm backend (units a multiple of 4) runs as two kernels on
 *   the backend's heap (backend/kernels/wasm-recurrent.ts): tensors in, tensors out, nothing read
 *   back.
 * - `jsLoop`: every other case reads the inputs into Float32Arrays and runs the JavaScript
 *   kernels (fused-lstm-kernel.ts, fused-gru-kernel.ts, fused-rnn-kernel.ts), with the per-step
 *   products on XNNPACK when the backend is wasm (wasm-products.ts).
 *
 * Either returns the value the op returns, flat: the outputs [batch, timeSteps, units], then each
 * final state [batch, units] (`unpack` slices them apart); the tensors its backward pass reads
 * (the op saves them with its own), and that backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import {
  recurrentInputsOf,
  recurrentLoop,
  recurrentLoopGrad,
} from '../backend/kernels/wasm-recurrent.js';
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

/** What the loop hands step 4 (the products that reach the inputs and the weights). */
export interface LoopGradients {
  /** [batch * timeSteps, G * units]: the gradient of x W + b. */
  dPre: tf.Tensor2D;
  /** The initial states' gradients, each [batch, units]. */
  dStates: tf.Tensor2D[];
  /** dU = rows^T dPre[:, columns], group by group in column order; rows [batch * timeSteps, units]. */
  recurrentInputs: Array<{ rows: tf.Tensor2D; columns: number }>;
}

export interface Loop {
  /** [(timeSteps + stateCount) * batch * units]: the outputs, then each final state. */
  value: tf.Tensor1D;
  /** Tensors `backward` reads: the op saves them (tf.customGrad keeps them until its gradient). */
  saved: tf.Tensor[];
  /** dy like `value`, `saved` as given back by the op. */
  backward(dy: tf.Tensor1D, saved: tf.Tensor[]): LoopGradients;
}

export interface LoopArgs {
  cell: FusedCell;
  /** [batch, timeSteps, G * units]: x W + b of every step. */
  xProj: tf.Tensor3D;
  /** [units, G * units] */
  recurrentKernel: tf.Tensor2D;
  /** [h] or, for an LSTM, [h, c]; each [batch, units]. */
  states: tf.Tensor2D[];
  /** [batch, timeSteps] float32, 0 on a skipped step; null: every step is real. */
  mask: tf.Tensor2D | null;
  goBackwards: boolean;
  gate: GateActivation;
  /** Whether a gradient will be taken (else the loop records nothing and has no backward). */
  record: boolean;
}

/** An LSTM's or GRU's loop on the wasm kernels; the caller checks `recurrentLoopRuns` first. */
export function wasmLoop(args: LoopArgs): Loop {
  const { xProj, recurrentKernel, states, mask, goBackwards, gate, record } = args;
  const cell = args.cell as 'lstm' | 'gru';
  const loop = recurrentLoop(
    cell,
    { xProj, recurrentKernel, states, mask },
    { goBackwards, gate, record },
  );
  const [batch, timeSteps, width] = xProj.shape;
  const units = recurrentKernel.shape[0];
  const { records } = loop;
  const saved = records === null ? [] : [recurrentKernel, ...records];
  if (mask !== null && records !== null) saved.push(mask);
  return {
    value: loop.out,
    saved,
    backward(dy, savedBack) {
      if (records === null)
        throw new Error(`the ${cell} loop ran without record: no backward pass`);
      const [recurrentIn, ...rest] = savedBack;
      const recordsIn = rest.slice(0, records.length);
      const maskIn = rest[records.length] ?? null;
      const back = recurrentLoopGrad(
        cell,
        dy,
        recurrentIn as tf.Tensor2D,
        maskIn as tf.Tensor2D | null,
        recordsIn,
        { goBackwards, gate, batch, timeSteps },
      );
      const dStates = tf.unstack(back.dStates) as tf.Tensor2D[]; // [S, batch, units] -> S x [batch, units]
      back.dStates.dispose();
      return {
        dPre: tf.reshape(back.dPre, [batch * timeSteps, width]), // [batch * timeSteps, G u]
        dStates,
        recurrentInputs: recurrentInputsOf(cell, recordsIn, units).map(({ rows, columns }) => ({
          rows: tf.reshape(rows, [batch * timeSteps, units]), // [batch * timeSteps, u]
          columns,
        })),
      };
    },
  };
}

/** The loop on Float32Arrays read from the tensors (any cell, any backend). */
export function jsLoop(args: LoopArgs): Loop {
  const { cell, xProj, recurrentKernel, states, goBackwards, gate, record } = args;
  const [batchSize, timeSteps, width] = xProj.shape;
  const units = recurrentKernel.shape[0];
  const stateCount = states.length;
  const forward = kernels[cell]({
    batchSize,
    timeSteps,
    units,
    xProj: xProj.dataSync() as Float32Array,
    recurrentKernel: recurrentKernel.dataSync() as Float32Array,
    mask: args.mask === null ? null : (args.mask.dataSync() as Float32Array),
    states: states.map((s) => s.dataSync() as Float32Array),
    goBackwards,
    gate,
    record,
    products: () => wasmProducts() ?? jsProducts,
  });
  const outputSize = batchSize * timeSteps * units;
  const stateSize = batchSize * units;
  const packed = new Float32Array(outputSize + stateCount * stateSize);
  packed.set(forward.outputs);
  for (const [i, state] of forward.states.entries()) packed.set(state, outputSize + i * stateSize);
  return {
    value: tf.tensor1d(packed),
    saved: [],
    backward(dy) {
      // Unpack dy like the value: the outputs' gradient, then each final state's.
      const dPacked = dy.dataSync() as Float32Array;
      const dOutputs = dPacked.subarray(0, outputSize);
      const dStates = Array.from({ length: stateCount }, (_, i) =>
        dPacked.subarray(outputSize + i * stateSize, outputSize + (i + 1) * stateSize),
      );
      const back = forward.backward(dOutputs, dStates);
      return {
        dPre: tf.tensor2d(back.dPre, [batchSize * timeSteps, width]),
        dStates: back.dStates.map((d) => tf.tensor2d(d, [batchSize, units])),
        recurrentInputs: back.recurrentInputs.map(({ rows, columns }) => ({
          rows: tf.tensor2d(rows, [batchSize * timeSteps, units]),
          columns,
        })),
      };
    },
  };
}
