/**
 * The loop over time of the LSTM, the GRU (both forms: the reset gate before the recurrent
 * product, TF.js's; after it, Keras 2+'s and PyTorch's, from assembly/gru-reset-after.ts in the
 * GRU module) and the simple RNN as wasm kernels, by modules compiled from
 * packages/core/assembly/lstm.ts, gru.ts and rnn.ts that run on the backend's own memory
 * with SIMD: the fused op (fused/fused-op.ts) uses them on wasm (units a multiple of
 * 4; loops.ts pads other sizes up to one) in place of the JavaScript loops
 * (fused/lstm-loop.ts, gru-loop.ts, rnn-loop.ts), which copied every
 * step between JavaScript arrays and the heap for XNNPACK's product and ran the gates one number
 * at a time (bench/PERFORMANCE.md has the measurements).
 *
 * Forward, `EncdecLstm` / `EncdecGru` / `EncdecGruResetAfter` / `EncdecRnn`: xProj [B, T, G u]
 * (x W + b of every step; G = 4, 3 or 1 gate blocks), recurrentKernel [u, G u], the
 * reset-after GRU's recurrentBias [G u] (optional), the initial states (h, and c for the
 * LSTM) [B, u], mask [B, T] float32 (optional: 0 marks a skipped step) -> out, flat
 * [B T u + S B u]: the outputs
 * [B, T, u] of each step, then the S final states [B, u], packed as the fused op returns them
 * (contiguous parts: slicing them apart is a copy each); with `record`, also the records the
 * backward kernel needs (`CellSpec.records`).
 *
 * Backward, `EncdecLstmGrad` / `EncdecGruGrad` / `EncdecGruResetAfterGrad` / `EncdecRnnGrad`: dy
 * like out, recurrentKernel, the mask and the records -> dPre [B, T, G u] (the gradient of xProj)
 * and dStates [S, B, u] (of the initial states), and for the reset-after GRU dRecurrent
 * [B, T, G u] (of h U + recurrentBias). The recurrent kernel's gradient is the caller's: the
 * records named by `recurrentInputs` times the column groups of dRecurrent, else dPre.
 *
 * Float32 throughout, as the stock layers compute (the JavaScript loops sum in float64): they
 * agree to float32 rounding, and both match the stock layers (test/core/backend/kernels/
 * wasm-recurrent.test.ts, test/core/fused/fused-op.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors.js';
import { GRU_WASM } from './modules/gru-bytes.js';
import { LSTM_WASM } from './modules/lstm-bytes.js';
import { RNN_WASM } from './modules/rnn-bytes.js';
import { addressOn, freeOnError, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

/** gru: TF.js's (reset gate before the recurrent product); gruResetAfter: Keras 2+'s, PyTorch's. */
export type RecurrentCell = 'lstm' | 'gru' | 'gruResetAfter' | 'rnn';

/** The gate activations the kernels implement, by their modules' code. */
const GATE_KINDS = { sigmoid: 0, hardSigmoid: 1 } as const;
export type RecurrentGate = keyof typeof GATE_KINDS;

export interface RecurrentAttrs {
  goBackwards: boolean;
  gate: RecurrentGate;
  /** Also return the records the backward kernel needs. */
  record: boolean;
}

/** Sizes of one loop. */
interface Dims {
  batch: number;
  timeSteps: number;
  units: number;
}

/**
 * A cell's module: `${cell}Forward` and `${cell}Backward`, all taking the same arguments
 * (addresses, 0 for an absent input; sizes and flags as numbers), the records last in the order
 * of `CellSpec.records`; a cell ignores what it has no use for (the GRU's and RNN's c0; uBias,
 * the recurrent bias, and dRecurrent, the gradient of h U + uBias, but for the reset-after GRU):
 *
 *   forward(xProj, u, uBias, h0, c0, mask, out, scratch, batch, timeSteps, units, goBackwards,
 *           kind, record, ...records)
 *   backward(dy, u, mask, dPre, dRecurrent, dStates, scratch, batch, timeSteps, units,
 *            goBackwards, kind, ...records)
 */
type Module = Record<string, (...args: number[]) => void>;

interface CellSpec {
  cell: RecurrentCell;
  forwardName: string;
  backwardName: string;
  module: string;
  /** Gate blocks G (the columns of xProj and U are G u; 1 for the RNN's single block). */
  gates: number;
  /** State tensors S: h, c for the LSTM; h for the GRU and the RNN. */
  states: number;
  /** The records' shapes, in the module's order, for `steps` recorded steps (0: none). */
  records(steps: number, d: Dims, hard: boolean): number[][];
  /** Floats of scratch memory for the forward and the backward loop. */
  scratch(d: Dims): { forward: number; backward: number };
  /** dU = records[record]^T dZ[:, columns], group by group in column order (dZ: see below). */
  recurrentInputs: Array<{ record: number; blocks: number }>;
  /** Whether backward also returns dRecurrent [B, T, G u] (then dZ), the reset-after GRU's. */
  dRecurrent: boolean;
}

const SPECS: Record<RecurrentCell, CellSpec> = {
  lstm: {
    cell: 'lstm',
    forwardName: 'EncdecLstm',
    backwardName: 'EncdecLstmGrad',
    module: LSTM_WASM,
    gates: 4,
    states: 2,
    // gates [T, B, 4u], hPrev [B, T, u], cPrev and cTanh [T, B, u], slopes [T, B, 4u] (hardSigmoid)
    records: (steps, { batch, units }, hard) => [
      [steps, batch, 4 * units],
      [batch, steps, units],
      [steps, batch, units],
      [steps, batch, units],
      [hard ? steps : 0, batch, 4 * units],
    ],
    // forward: z [B, 4u]; backward: U^T [4u, u], then dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * 4 * units,
      backward: 4 * units * units + batch * units,
    }),
    recurrentInputs: [{ record: 1, blocks: 4 }],
    dRecurrent: false,
  },
  gru: {
    cell: 'gru',
    forwardName: 'EncdecGru',
    backwardName: 'EncdecGruGrad',
    module: GRU_WASM,
    gates: 3,
    states: 1,
    // gates [B, T, 3u], hPrev and resetPrev [B, T, u], slopes [B, T, 3u]
    records: (steps, { batch, units }) => [
      [batch, steps, 3 * units],
      [batch, steps, units],
      [batch, steps, units],
      [batch, steps, 3 * units],
    ],
    // forward: z [B, 3u] and r h [B, u]; backward: U^T [3u, u], then d(r h) and dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * 4 * units,
      backward: 3 * units * units + 2 * batch * units,
    }),
    recurrentInputs: [
      { record: 1, blocks: 2 },
      { record: 2, blocks: 1 },
    ],
    dRecurrent: false,
  },
  gruResetAfter: {
    cell: 'gruResetAfter',
    forwardName: 'EncdecGruResetAfter',
    backwardName: 'EncdecGruResetAfterGrad',
    module: GRU_WASM,
    gates: 3,
    states: 1,
    // gates [T, B, 3u], hPrev [B, T, u], mh [T, B, u], slopes [T, B, 2u] (hardSigmoid)
    records: (steps, { batch, units }, hard) => [
      [steps, batch, 3 * units],
      [batch, steps, units],
      [steps, batch, units],
      [hard ? steps : 0, batch, 2 * units],
    ],
    // forward: m [B, 3u]; backward: U^T [3u, u], then dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * 3 * units,
      backward: 3 * units * units + batch * units,
    }),
    recurrentInputs: [{ record: 1, blocks: 3 }],
    dRecurrent: true,
  },
  rnn: {
    cell: 'rnn',
    forwardName: 'EncdecRnn',
    backwardName: 'EncdecRnnGrad',
    module: RNN_WASM,
    gates: 1,
    states: 1,
    // slopes (1 - h_t^2) and hPrev, each [B, T, u]
    records: (steps, { batch, units }) => [
      [batch, steps, units],
      [batch, steps, units],
    ],
    // forward: z [B, u]; backward: U^T [u, u], then dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * units,
      backward: units * units + batch * units,
    }),
    recurrentInputs: [{ record: 1, blocks: 1 }],
    dRecurrent: false,
  },
};

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Whether the kernels take a layer of `units` units (their SIMD lanes need multiples of 4). */
export function recurrentKernelFits(units: number): boolean {
  return units > 0 && units % 4 === 0;
}

/** Throws unless `info` (an input of `kernel`) has `shape`: the module reads that many values. */
function requireShape(
  kernel: string,
  name: string,
  info: tf.TensorInfo | undefined,
  shape: number[],
) {
  if (info === undefined)
    throw invalidArgument(name, undefined, `a tensor ${JSON.stringify(shape)} (${kernel})`);
  if (info.dtype !== 'float32' || !tf.util.arraysEqual(info.shape, shape)) {
    throw invalidArgument(
      name,
      `${info.dtype} ${JSON.stringify(info.shape)}`,
      `float32 ${JSON.stringify(shape)} (${kernel})`,
    );
  }
}

/** The records passed to a backward kernel, as inputs r0, r1, ... */
const recordNames = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

function forwardKernel(spec: CellSpec) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { xProj, recurrentKernel, recurrentBias, mask, ...rest } = args.inputs as Record<
      string,
      tf.TensorInfo
    >;
    const { goBackwards, gate, record } = args.attrs as unknown as RecurrentAttrs;
    const [batch, timeSteps, width] = xProj!.shape as [number, number, number];
    const units = recurrentKernel!.shape[0]!;
    const fits = recurrentKernel!.shape[1] === spec.gates * units && width === spec.gates * units;
    if (!recurrentKernelFits(units) || !fits) {
      throw invalidArgument(
        'recurrentKernel',
        `${recurrentKernel!.shape} with xProj ${xProj!.shape}`,
        `[units, ${spec.gates} * units] with units a multiple of 4, and xProj [batch, timeSteps, ${spec.gates} * units]`,
      );
    }
    const dims = { batch, timeSteps, units };
    for (let i = 0; i < spec.states; i++) {
      requireShape(spec.forwardName, `s${i}`, rest[`s${i}`], [batch, units]);
    }
    if (mask !== undefined) requireShape(spec.forwardName, 'mask', mask, [batch, timeSteps]);
    if (recurrentBias !== undefined) {
      requireShape(spec.forwardName, 'recurrentBias', recurrentBias, [spec.gates * units]);
    }
    const backend = args.backend as unknown as WasmBackendWithMemory;
    const out = backend.makeOutput([(timeSteps + spec.states) * batch * units], 'float32');
    const scratch = backend.makeOutput([spec.scratch(dims).forward], 'float32');
    const records = record
      ? spec
          .records(timeSteps, dims, gate === 'hardSigmoid')
          .map((shape) => backend.makeOutput(shape, 'float32'))
      : [];
    const at = addressOn(backend); // used after the allocations
    try {
      freeOnError(backend, [out, ...records], () =>
        moduleOn<Module>(backend, spec.module)[`${spec.cell}Forward`]!(
          at(xProj),
          at(recurrentKernel),
          at(recurrentBias),
          at(rest.s0),
          at(rest.s1),
          at(mask),
          at(out),
          at(scratch),
          batch,
          timeSteps,
          units,
          goBackwards ? 1 : 0,
          GATE_KINDS[gate],
          record ? 1 : 0,
          ...records.map(at),
        ),
      );
    } finally {
      backend.disposeData(scratch.dataId);
    }
    return [out, ...records];
  };
}

function backwardKernel(spec: CellSpec) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>;
    const { dy, recurrentKernel, mask } = inputs;
    const { goBackwards, gate, batch, timeSteps } = args.attrs as unknown as RecurrentAttrs & Dims;
    const units = recurrentKernel!.shape[0]!;
    const dims = { batch, timeSteps, units };
    if (tf.util.sizeFromShape(dy!.shape) !== (timeSteps + spec.states) * batch * units) {
      throw invalidArgument(
        'dy',
        dy!.shape,
        `${(timeSteps + spec.states) * batch * units} values, like the forward kernel's out`,
      );
    }
    const recordShapes = spec.records(timeSteps, dims, gate === 'hardSigmoid');
    const names = recordNames(recordShapes.length);
    for (const [i, name] of names.entries()) {
      requireShape(spec.backwardName, name, inputs[name], recordShapes[i]!);
    }
    if (mask !== undefined) requireShape(spec.backwardName, 'mask', mask, [batch, timeSteps]);
    const backend = args.backend as unknown as WasmBackendWithMemory;
    const dPre = backend.makeOutput([batch, timeSteps, spec.gates * units], 'float32');
    const dRecurrent = spec.dRecurrent
      ? backend.makeOutput([batch, timeSteps, spec.gates * units], 'float32')
      : null;
    const dStates = backend.makeOutput([spec.states, batch, units], 'float32');
    const scratch = backend.makeOutput([spec.scratch(dims).backward], 'float32');
    const outputs = dRecurrent === null ? [dPre, dStates] : [dPre, dStates, dRecurrent];
    const at = addressOn(backend);
    try {
      freeOnError(backend, outputs, () =>
        moduleOn<Module>(backend, spec.module)[`${spec.cell}Backward`]!(
          at(dy),
          at(recurrentKernel),
          at(mask),
          at(dPre),
          at(dRecurrent ?? undefined),
          at(dStates),
          at(scratch),
          batch,
          timeSteps,
          units,
          goBackwards ? 1 : 0,
          GATE_KINDS[gate],
          ...names.map((name) => at(inputs[name])),
        ),
      );
    } finally {
      backend.disposeData(scratch.dataId);
    }
    return outputs;
  };
}

/** The kernels of every cell, forward and backward, for `wasm` (registered by register.ts). */
export const wasmRecurrentConfigs: tf.KernelConfig[] = Object.values(SPECS).flatMap((spec) => [
  {
    kernelName: spec.forwardName,
    backendName: 'wasm',
    kernelFunc: forwardKernel(spec) as unknown as tf.KernelFunc,
  },
  {
    kernelName: spec.backwardName,
    backendName: 'wasm',
    kernelFunc: backwardKernel(spec) as unknown as tf.KernelFunc,
  },
]);

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
