/**
 * What the fused recurrent loops (lstm-loop.ts, gru-loop.ts,
 * rnn-loop.ts) share: their inputs, their results, and the gate activations, each with
 * its slope (derivative with respect to its input) for the backward pass.
 *
 * A loop runs a whole sequence over Float32Arrays, one loop over time, forward and backward.
 * The input projection x W + b of every time step is computed before (one matrix product on the
 * backend), and the products of the backward pass that reach the weights (X^T dZ, H^T dZ) after
 * it, so the loop only does what is sequential: h_{t-1} U, the gates and their gradients.
 * Arithmetic inside the loop is float64 (JavaScript numbers), stored as float32.
 */

import { fastSigmoid } from './fast-tanh.js';

/**
 * The recurrent activation of gates: 'sigmoid', the logistic 1 / (1 + e^-x) of Keras 2+ and
 * PyTorch, or 'hardSigmoid', clip(0.2 x + 0.5, 0, 1), the default of TF.js and Keras 1.
 */
export const GATE_ACTIVATIONS = ['sigmoid', 'hardSigmoid'] as const;
export type GateActivation = (typeof GATE_ACTIVATIONS)[number];

export function isGateActivation(x: unknown): x is GateActivation {
  return typeof x === 'string' && (GATE_ACTIVATIONS as readonly string[]).includes(x);
}

export interface LoopInputs {
  batchSize: number;
  timeSteps: number;
  units: number;
  /** [batchSize, timeSteps, gates * units]: x_t W + b for every step, bias included. */
  xProj: Float32Array;
  /** [units, gates * units], TF.js's layout (LSTM gates i, f, c, o; GRU z, r, h). */
  recurrentKernel: Float32Array;
  /**
   * [gates * units]: the recurrent bias, added to h_{t-1} U, of the reset-after GRU (Keras'
   * reset_after=True); other cells have their one bias in xProj and ignore it.
   */
  recurrentBias?: Float32Array | null;
  /** [batchSize, timeSteps], 1 for a real step, 0 for a skipped one; null: every step is real. */
  mask: Float32Array | null;
  /** The initial state: [h] or, for an LSTM, [h, c]; each [batchSize, units]. */
  states: Float32Array[];
  /** Read the sequence from its end; outputs are then in reading order, as Keras returns them. */
  goBackwards: boolean;
  gate: GateActivation;
  /**
   * Record what the backward pass needs (default true). False when no gradient is being taken
   * (inference, decoding): a loop may then skip the recording, and its `backward` throws.
   */
  record?: boolean;
}

/**
 * The columns of the recurrent kernel that `rows` multiplied, as a group: dU[:, group] =
 * rows^T dZ[:, group]. rows is [batchSize, timeSteps, units], laid out like xProj.
 */
export interface RecurrentInput {
  rows: Float32Array;
  columns: number;
}

export interface LoopBackward {
  /** [batchSize, timeSteps, gates * units]: the gradient of the gate pre-activations (= dxProj). */
  dPre: Float32Array;
  /** The gradient of the initial state, like `states`. */
  dStates: Float32Array[];
  /**
   * [batchSize, timeSteps, gates * units]: the gradient of h_{t-1} U + b_rec where it is not
   * dPre (the reset-after GRU, whose candidate block is r (h U_h + b_rh)); null: it is dPre.
   */
  dRecurrent: Float32Array | null;
  /** What dU is made of, its column groups in order (of dRecurrent, else dPre). */
  recurrentInputs: RecurrentInput[];
}

export interface LoopForward {
  /** [batchSize, timeSteps, units]: h after each step, in reading order (carried on masked steps). */
  outputs: Float32Array;
  /** The final state, like `states`. */
  states: Float32Array[];
  /**
   * The backward pass: dOutputs like `outputs` (null: no gradient reaches them), dStates like
   * `states`. Keeps what the forward pass recorded until it is called.
   */
  backward(dOutputs: Float32Array | null, dStates: Float32Array[]): LoopBackward;
}

/** A gate activation's value. hardSigmoid: clip(0.2 x + 0.5, 0, 1), as TF.js defines it. */
export function gateValue(gate: GateActivation, x: number): number {
  if (gate === 'sigmoid') return fastSigmoid(x);
  const y = 0.2 * x + 0.5;
  return Math.min(Math.max(y, 0), 1);
}

/**
 * A gate activation's slope at x. hardSigmoid: 0.2 inside [0, 1] bounds included, as TF.js's
 * clipByValue gradient has it; sigmoid: s (1 - s).
 */
export function gateSlope(gate: GateActivation, x: number, value: number): number {
  if (gate === 'sigmoid') return value * (1 - value);
  const y = 0.2 * x + 0.5;
  return y >= 0 && y <= 1 ? 0.2 : 0;
}

/** The time index read at step s (reading order). */
export function timeAt(step: number, timeSteps: number, goBackwards: boolean): number {
  return goBackwards ? timeSteps - 1 - step : step;
}

/** Whether step `row` (= b * timeSteps + t) of a [batch, timeSteps] mask is real; null: all are. */
export function isRealStep(mask: Float32Array | null, row: number): boolean {
  return mask === null || mask[row] !== 0;
}

/**
 * dh[b, :] += dOutputs[b, s, :]: the gradient reaching row b's output at step s (reading order),
 * dOutputs [batch, timeSteps, units]; nothing when no gradient reaches the outputs (null).
 */
export function addOutputGrad(
  dh: Float64Array,
  dOutputs: Float32Array | null,
  b: number,
  s: number,
  timeSteps: number,
  units: number,
): void {
  if (dOutputs === null) return;
  const ob = (b * timeSteps + s) * units;
  for (let j = 0; j < units; j++) dh[b * units + j] += dOutputs[ob + j]!;
}

/** z[b, :] = xProj[b, t, :] for every batch row b: a step's input projections, z [batch, width]. */
export function loadStep(z: Float64Array, inputs: LoopInputs, t: number, width: number): void {
  const { batchSize, timeSteps, xProj } = inputs;
  for (let b = 0; b < batchSize; b++) {
    const from = (b * timeSteps + t) * width;
    for (let j = 0; j < width; j++) z[b * width + j] = xProj[from + j]!;
  }
}
