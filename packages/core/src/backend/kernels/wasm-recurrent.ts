/**
 * The loop over time of the LSTM, the GRU (both forms: the reset gate before the recurrent
 * product, TF.js's; after it, Keras 2+'s and PyTorch's, from assembly/gru-reset-after.ts in the
 * GRU module) and the simple RNN, run as wasm kernels (wasm-recurrent-kernels.ts; each cell's
 * layout: wasm-recurrent-specs.ts): the fused op (fused/fused-op.ts) uses them on wasm (units a
 * multiple of 4; loops.ts pads other sizes up to one) in place of the JavaScript loops
 * (fused/lstm-loop.ts, gru-loop.ts, rnn-loop.ts), which copied every
 * step between JavaScript arrays and the heap for XNNPACK's product and ran the gates one number
 * at a time (bench/PERFORMANCE.md has the measurements).
 *
 * Float32 throughout, as the stock layers compute (the JavaScript loops sum in float64): they
 * agree to float32 rounding, and both match the stock layers (test/core/backend/kernels/
 * wasm-recurrent.test.ts, test/core/fused/fused-op.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type Dims,
  type RecurrentAttrs,
  type RecurrentCell,
  recordNames,
  recurrentKernelFits,
  SPECS,
} from './wasm-recurrent-specs.js';

/** The kernel names of `cell`: forward and backward. */
export function recurrentKernelNames(cell: RecurrentCell): [string, string] {
  return [SPECS[cell].forwardName, SPECS[cell].backwardName];
}

/** Whether the current backend runs `cell`'s kernels for a layer of `units` units. */
export function recurrentLoopRuns(cell: RecurrentCell, units: number): boolean {
  return (
    recurrentKernelFits(units) &&
    tf.getKernel(SPECS[cell].forwardName, tf.getBackend()) !== undefined
  );
}

export interface RecurrentLoopInputs {
  /** [B, T, G u] */
  xProj: tf.Tensor3D;
  /** [u, G u] */
  recurrentKernel: tf.Tensor2D;
  /** [G u]: the reset-after GRU's recurrent bias; null: none (other cells ignore it). */
  recurrentBias: tf.Tensor1D | null;
  /** [h] or, for an LSTM, [h, c]; each [B, u]. */
  states: tf.Tensor2D[];
  /** [B, T] float32, 0 on skipped steps; null: every step is real. */
  mask: tf.Tensor2D | null;
}

/** The loop forward: out [(T + S) B u], and the records when `attrs.record`. */
export function recurrentLoop(
  cell: RecurrentCell,
  { xProj, recurrentKernel, recurrentBias, states, mask }: RecurrentLoopInputs,
  attrs: RecurrentAttrs,
): { out: tf.Tensor1D; records: tf.Tensor[] | null } {
  const inputs: Record<string, tf.Tensor> = { xProj, recurrentKernel };
  if (recurrentBias !== null && SPECS[cell].dRecurrent) inputs.recurrentBias = recurrentBias;
  states.forEach((s, i) => {
    inputs[`s${i}`] = s;
  });
  if (mask !== null) inputs.mask = mask;
  const [out, ...records] = tf
    .engine()
    .runKernel(
      SPECS[cell].forwardName,
      inputs as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as unknown as tf.Tensor[];
  return { out: out as tf.Tensor1D, records: attrs.record ? records : null };
}

/**
 * The loop backward: dPre [B, T, G u] and dStates [S, B, u] from dy, flat like out, and the
 * reset-after GRU's dRecurrent [B, T, G u] (null for other cells).
 */
export function recurrentLoopGrad(
  cell: RecurrentCell,
  dy: tf.Tensor1D,
  recurrentKernel: tf.Tensor2D,
  mask: tf.Tensor2D | null,
  records: tf.Tensor[],
  attrs: Omit<RecurrentAttrs, 'record'> & Omit<Dims, 'units'>,
): { dPre: tf.Tensor3D; dStates: tf.Tensor3D; dRecurrent: tf.Tensor3D | null } {
  const inputs: Record<string, tf.Tensor> = { dy, recurrentKernel };
  recordNames(records.length).forEach((name, i) => {
    inputs[name] = records[i]!;
  });
  if (mask !== null) inputs.mask = mask;
  const [dPre, dStates, dRecurrent] = tf
    .engine()
    .runKernel(
      SPECS[cell].backwardName,
      inputs as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as unknown as tf.Tensor3D[];
  return { dPre: dPre!, dStates: dStates!, dRecurrent: dRecurrent ?? null };
}

/** How the records make the recurrent kernel's gradient: dU's column groups, in order. */
export function recurrentInputsOf(
  cell: RecurrentCell,
  records: tf.Tensor[],
  units: number,
): Array<{ rows: tf.Tensor; columns: number }> {
  return SPECS[cell].recurrentInputs.map(({ record, blocks }) => ({
    rows: records[record]!,
    columns: blocks * units,
  }));
}
