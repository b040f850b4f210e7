/**
 * `fusedRecurrent`: a whole recurrent layer (LSTM, GRU or simple RNN), forward and backward, as
 * one differentiable op (`tf.customGrad`). Per-op overhead dominates stock TF.js recurrent layers
 * (a dozen small ops per time step, forward and backward; bench/PERFORMANCE.md), so the work
 * is split:
 *
 *   1. X W + b for every time step: one matrix product on the backend   [batch * timeSteps, G * units]
 *   2. the loop over time (loops.ts)                              h_{t-1} U, gates, state
 *   3. backward: the loop over time again, from the end, giving dZ       [batch * timeSteps, G * units]
 *   4. dX = dZ W^T, dW = X^T dZ, dU = H^T dZ, db = sum dZ: matrix products on the backend
 *
 * The loop runs as wasm kernels on the backend's heap on wasm, else in JavaScript
 * (*-loop.ts, float64 sums). G is the number of gate blocks: 4 (LSTM), 3 (GRU), 1 (RNN).
 * The reset-after GRU adds its recurrent bias inside the loop (b_rec: step 2; db_rec = the sum of
 * the gradient of h U + b_rec, which the loop returns with dZ: step 4).
 * Weights have the stock layers' layout, so the op computes what tf.layers.lstm/gru/simpleRNN
 * compute (equal within float32 rounding).
 *
 * customGrad takes and returns one tensor, so the op returns the outputs and the final states
 * packed into one flat tensor, outputs first, and slices them apart (contiguous: a copy each).
 */
import * as tf from '@tensorflow/tfjs';
import type { GateActivation } from './loop-types.js';
import { type FusedCell, jsLoop, wasmLoop, wasmLoopRuns } from './loops.js';

export { FUSED_CELLS, type FusedCell } from './loops.js';

const GATE_BLOCKS: Record<FusedCell, number> = { lstm: 4, gru: 3, gruResetAfter: 3, rnn: 1 };

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
  /**
   * [G * units], or null (useBias false). The reset-after GRU's is [2, G * units], as Keras lays
   * it out: the input bias b_in (added to x W), then the recurrent bias b_rec (added to h U).
   */
  bias: tf.Tensor1D | tf.Tensor2D | null;
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
  const mask = args.mask === null ? null : floatMask(args.mask, batchSize, timeSteps);
  const onWasm = wasmLoopRuns(cell, units);
  const twoBiases = cell === 'gruResetAfter';

  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = inputs.pop() as tf.GradSaveFunc;
    const [xIn, kernelIn, recurrentIn, ...rest] = inputs as tf.Tensor[];
    const biasIn = bias === null ? null : rest.shift()!;
    const statesIn = rest as tf.Tensor2D[];
    // The reset-after GRU's two biases: b_in joins x W, b_rec goes to the loop.
    const [inputBias, recurrentBias] =
      biasIn !== null && twoBiases
        ? (tf.unstack(biasIn) as tf.Tensor1D[]) // [2, width] -> 2 x [width]
        : [biasIn, null];
    // 1. The input projection of every step at once.
    const xProj = tf.tidy(() => {
      const x2d = tf.reshape(xIn!, [batchSize * timeSteps, inputDim]); // [batch * timeSteps, inputDim]
      const product = tf.matMul(x2d, kernelIn as tf.Tensor2D); // [batch * timeSteps, width]
      const projected = inputBias === null ? product : tf.add(product, inputBias);
      return tf.reshape(projected, [batchSize, timeSteps, width]) as tf.Tensor3D; // [batch, timeSteps, width]
    });
    // 2. The loop over time.
    const loop = (onWasm ? wasmLoop : jsLoop)({
      cell,
      xProj,
      recurrentKernel: recurrentIn as tf.Tensor2D,
      recurrentBias: recurrentBias ?? null,
      states: statesIn,
      mask,
      goBackwards,
      gate,
      record: gradientIsTaped(),
    });
    xProj.dispose();
    if (twoBiases && biasIn !== null) tf.dispose([inputBias!, recurrentBias!]);
    save([xIn!, kernelIn!, ...loop.saved]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xSaved, kernelSaved, ...loopSaved] = saved as [tf.Tensor3D, tf.Tensor2D];
      // 3. The loop over time, backward.
      const back = loop.backward(dy as tf.Tensor1D, loopSaved);
      // 4. The products that reach the inputs and the weights.
      const { dPre } = back;
      const dRecurrentPre = back.dRecurrent ?? dPre; // the gradient of h U + b_rec
      const x2d = tf.reshape(xSaved, [batchSize * timeSteps, inputDim]);
      const dx = tf.reshape(tf.matMul(dPre, kernelSaved, false, true), [
        batchSize,
        timeSteps,
        inputDim,
      ]); // [batch, timeSteps, inputDim]
      const dKernel = tf.matMul(x2d, dPre, true, false); // [inputDim, width]
      let column = 0;
      const dRecurrentParts = back.recurrentInputs.map(({ rows, columns }) => {
        const part =
          columns === width ? dRecurrentPre : tf.slice(dRecurrentPre, [0, column], [-1, columns]);
        column += columns;
        return tf.matMul(rows, part, true, false); // [units, columns]
      });
      const dRecurrent =
        dRecurrentParts.length === 1 ? dRecurrentParts[0]! : tf.concat(dRecurrentParts, 1);
      const grads: tf.Tensor[] = [dx, dKernel, dRecurrent];
      if (bias !== null) {
        const dInputBias = tf.sum(dPre, 0); // [width]
        grads.push(twoBiases ? tf.stack([dInputBias, tf.sum(dRecurrentPre, 0)]) : dInputBias); // [2, width]
      }
      grads.push(...back.dStates);
      return grads;
    };
    return { value: loop.value, gradFunc };
  });

  const inputs: tf.Tensor[] = [x, kernel, recurrentKernel];
  if (bias !== null) inputs.push(bias);
  inputs.push(...args.initialStates);
  const packed = op(...inputs) as tf.Tensor1D; // [(timeSteps + stateCount) * batch * units]
  mask?.dispose();
  const outputSize = batchSize * timeSteps * units;
  const stateSize = batchSize * units;
  const [outputs, ...states] = tf.tidy(() => [
    tf.reshape(tf.slice(packed, 0, outputSize), [batchSize, timeSteps, units]), // [batch, timeSteps, units]
    ...args.initialStates.map(
      (_, i) =>
        tf.reshape(tf.slice(packed, outputSize + i * stateSize, stateSize), [batchSize, units]), // [batch, units]
    ),
  ]) as [tf.Tensor3D, ...tf.Tensor2D[]];
  packed.dispose();
  return { outputs, states };
}

/** The mask as 1/0 floats [batch, timeSteps]. */
function floatMask(mask: tf.Tensor, batchSize: number, timeSteps: number): tf.Tensor2D {
  return tf.tidy(() =>
    tf.cast(tf.notEqual(tf.reshape(mask, [batchSize, timeSteps]), 0), 'float32'),
  ) as tf.Tensor2D;
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
