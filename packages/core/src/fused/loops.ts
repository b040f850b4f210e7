/**
 * The loop over time of the fused op (fused-op.ts, steps 2 and 3), in one of two ways:
 *
 * - `wasmLoop`: on the wasm backend the loop runs as two kernels on the backend's heap
 *   (backend/kernels/wasm-recurrent.ts): tensors in, tensors out, nothing read back.
 * - `jsLoop`: other backends (cpu, tensorflow; wasm without encdec's kernels) read the inputs
 *   into Float32Arrays and run the JavaScript loops (lstm-loop.ts, gru-loop.ts,
 *   rnn-loop.ts).
 *
 * Either returns the value the op returns, flat: the outputs [batch, timeSteps, units], then each
 * final state [batch, units] (the op slices them apart); the tensors its backward pass reads
 * (the op saves them with its own), and that backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import {
  recurrentInputsOf,
  recurrentLoop,
  recurrentLoopGrad,
  recurrentLoopRuns,
} from '../backend/kernels/wasm-recurrent.js';
import { gruForward } from './gru-loop.js';
import { gruResetAfterForward } from './gru-reset-after-loop.js';
import type { GateActivation, LoopForward, LoopInputs } from './loop-types.js';
import { lstmForward } from './lstm-loop.js';
import { rnnForward } from './rnn-loop.js';

/** gru: TF.js's (reset gate before the recurrent product); gruResetAfter: Keras 2+'s, PyTorch's. */
export const FUSED_CELLS = ['lstm', 'gru', 'gruResetAfter', 'rnn'] as const;
export type FusedCell = (typeof FUSED_CELLS)[number];

const jsLoops: Record<FusedCell, (inputs: LoopInputs) => LoopForward> = {
  lstm: lstmForward,
  gru: gruForward,
  gruResetAfter: gruResetAfterForward,
  rnn: rnnForward,
};

/** What the loop hands step 4 (the products that reach the inputs and the weights). */
export interface LoopGradients {
  /** [batch * timeSteps, G * units]: the gradient of x W + b. */
  dPre: tf.Tensor2D;
  /**
   * [batch * timeSteps, G * units]: the gradient of h_{t-1} U + b_rec where it is not dPre (the
   * reset-after GRU); null: it is dPre.
   */
  dRecurrent: tf.Tensor2D | null;
  /** The initial states' gradients, each [batch, units]. */
  dStates: tf.Tensor2D[];
  /**
   * dU = rows^T dZ[:, columns], group by group in column order, dZ = dRecurrent ?? dPre; rows
   * [batch * timeSteps, units].
   */
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
  /** [G * units]: the reset-after GRU's recurrent bias b_rec; null for other cells or no bias. */
  recurrentBias: tf.Tensor1D | null;
  /** [h] or, for an LSTM, [h, c]; each [batch, units]. */
  states: tf.Tensor2D[];
  /** [batch, timeSteps] float32, 0 on a skipped step; null: every step is real. */
  mask: tf.Tensor2D | null;
  goBackwards: boolean;
  gate: GateActivation;
  /** Whether a gradient will be taken (else the loop records nothing and has no backward). */
  record: boolean;
}

/** The units the kernels run for `units`: a multiple of 4, their SIMD lanes. */
const lanesFor = (units: number) => Math.ceil(units / 4) * 4;

/** Whether `wasmLoop` runs `cell` of `units` units on the current backend. */
export function wasmLoopRuns(cell: FusedCell, units: number): boolean {
  return units > 0 && recurrentLoopRuns(cell, lanesFor(units));
}

/**
 * The loop on the wasm kernels; the caller checks `wasmLoopRuns` first.
 * Units that are not a multiple of 4 (the kernels' SIMD lanes) are padded with zeros up to one.
 */
export function wasmLoop(args: LoopArgs): Loop {
  const units = args.recurrentKernel.shape[0];
  const lanes = lanesFor(units);
  return lanes === units ? kernelLoop(args) : paddedLoop(args, lanes);
}

/**
 * The loop on `lanes` units, the last lanes - units of them padding: zero columns in each gate
 * block of xProj, U and the recurrent bias, zero rows in U, zero initial states. A padded unit's
 * pre-activations are then 0 at every step, so its h (and c) stay exactly 0 (c = f 0 + i tanh(0),
 * h = o tanh(c); the GRU's h = z 0 + (1 - z) tanh(0 + r 0), either form; the RNN's h = tanh(0)),
 * and its zero rows of U add nothing to the real units: they compute what they compute unpadded,
 * forward and backward, and the padding is sliced off.
 */
function paddedLoop(args: LoopArgs, lanes: number): Loop {
  const { xProj, recurrentKernel, recurrentBias, states } = args;
  const [batch, timeSteps, width] = xProj.shape;
  const units = recurrentKernel.shape[0];
  const blocks = width / units;
  const extra = lanes - units;
  const inner = kernelLoop({
    ...args,
    xProj: tf.reshape(
      tf.pad(tf.reshape(xProj, [batch, timeSteps, blocks, units]), [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, extra],
      ]),
      [batch, timeSteps, blocks * lanes],
    ), // [batch, timeSteps, G u] -> [batch, timeSteps, G, u] -> [batch, timeSteps, G lanes]
    recurrentKernel: tf.reshape(
      tf.pad(tf.reshape(recurrentKernel, [units, blocks, units]), [
        [0, extra],
        [0, 0],
        [0, extra],
      ]),
      [lanes, blocks * lanes],
    ), // [u, G u] -> [u, G, u] -> [lanes, G lanes]
    recurrentBias:
      recurrentBias === null
        ? null
        : tf.reshape(
            tf.pad(tf.reshape(recurrentBias, [blocks, units]), [
              [0, 0],
              [0, extra],
            ]),
            [blocks * lanes],
          ), // [G u] -> [G, u] -> [G lanes]
    states: states.map((state) =>
      tf.pad(state, [
        [0, 0],
        [0, extra],
      ]),
    ), // [batch, lanes]
  });
  /** The first `units` of every `lanes` values of a flat tensor. */
  const unpad = (flat: tf.Tensor, size: number) =>
    tf.reshape(tf.slice(tf.reshape(flat, [-1, lanes]), [0, 0], [-1, units]), [size]); // [n, lanes] -> [n, units]
  return {
    value: unpad(inner.value, (inner.value.size / lanes) * units) as tf.Tensor1D,
    saved: inner.saved,
    backward(dy, saved) {
      const dyLanes = tf.reshape(
        tf.pad(tf.reshape(dy, [-1, units]), [
          [0, 0],
          [0, extra],
        ]),
        [-1],
      ); // [n, units] -> [n, lanes]
      const back = inner.backward(dyLanes as tf.Tensor1D, saved);
      const unpadBlocks = (d: tf.Tensor2D) =>
        tf.reshape(
          tf.slice(tf.reshape(d, [batch * timeSteps, blocks, lanes]), [0, 0, 0], [-1, -1, units]),
          [batch * timeSteps, width],
        ) as tf.Tensor2D; // [batch * timeSteps, G lanes] -> [batch * timeSteps, G, units] -> [batch * timeSteps, G u]
      return {
        dPre: unpadBlocks(back.dPre),
        dRecurrent: back.dRecurrent === null ? null : unpadBlocks(back.dRecurrent),
        dStates: back.dStates.map((d) => tf.slice(d, [0, 0], [-1, units]) as tf.Tensor2D),
        recurrentInputs: back.recurrentInputs.map(({ rows, columns }) => ({
          rows: tf.slice(rows, [0, 0], [-1, units]) as tf.Tensor2D, // [batch * timeSteps, units]
          columns: (columns / lanes) * units,
        })),
      };
    },
  };
}

/** The loop on the kernels, units a multiple of 4. */
function kernelLoop(args: LoopArgs): Loop {
  const { xProj, recurrentKernel, recurrentBias, states, mask, goBackwards, gate, record } = args;
  const { cell } = args;
  const loop = recurrentLoop(
    cell,
    { xProj, recurrentKernel, recurrentBias, states, mask },
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
        dRecurrent:
          back.dRecurrent === null ? null : tf.reshape(back.dRecurrent, [batch * timeSteps, width]), // [batch * timeSteps, G u]
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
  const forward = jsLoops[cell]({
    batchSize,
    timeSteps,
    units,
    xProj: xProj.dataSync() as Float32Array,
    recurrentKernel: recurrentKernel.dataSync() as Float32Array,
    recurrentBias:
      args.recurrentBias === null ? null : (args.recurrentBias.dataSync() as Float32Array),
    mask: args.mask === null ? null : (args.mask.dataSync() as Float32Array),
    states: states.map((s) => s.dataSync() as Float32Array),
    goBackwards,
    gate,
    record,
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
        dRecurrent:
          back.dRecurrent === null
            ? null
            : tf.tensor2d(back.dRecurrent, [batchSize * timeSteps, width]),
        dStates: back.dStates.map((d) => tf.tensor2d(d, [batchSize, units])),
        recurrentInputs: back.recurrentInputs.map(({ rows, columns }) => ({
          rows: tf.tensor2d(rows, [batchSize * timeSteps, units]),
          columns,
        })),
      };
    },
  };
}
