/**
 * The LSTM's loop over time as two wasm kernels, by a module compiled from
 * packages/core/assembly/lstm.ts that runs on the backend's own memory with SIMD: the fused op
 * (layers/fused-recurrent-op.ts) uses them on wasm for LSTMs whose units are a multiple of 4, in
 * place of the JavaScript loop (layers/fused-lstm-kernel.ts), which copied every step between
 * JavaScript arrays and the heap for XNNPACK's product and ran the gates one number at a time
 * (an encoder's forward pass at [64, 100] tokens, 32 units: ~12 ms; here ~3 ms).
 *
 * `EncdecLstm`: xProj [B, T, 4u] (x W + b of every step), recurrentKernel [u, 4u], h and c
 * [B, u], mask [B, T] float32 (optional: 0 marks a skipped step) -> out, flat [B * T * u +
 * 2 * B * u]: the outputs [B, T, u] of each step, then the final h and c [B, u], packed as the
 * fused op returns them (contiguous parts: slicing them apart is a copy each); with `record`, also
 * what `EncdecLstmGrad` needs: gates, hPrev, cPrev, cTanh and (hardSigmoid gates) slopes.
 *
 * `EncdecLstmGrad`: dy like out, recurrentKernel, the mask and the records -> dPre [B, T, 4u] (the
 * gradient of xProj) and dStates [2, B, u] (of the initial h and c). hPrev is not an input: the
 * caller multiplies it with dPre for the recurrent kernel's gradient.
 *
 * Float32 throughout, as the stock layers compute (the JavaScript loop sums in float64): the two
 * agree to float32 rounding, and both match tf.layers.lstm (test/core/backend/kernels/
 * wasm-lstm.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors.js';
import { LSTM_WASM } from './lstm-wasm.js';
import { heapAddress, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

export const LSTM = 'EncdecLstm';
export const LSTM_GRAD = 'EncdecLstmGrad';

/** The gate activations the kernels implement, by their module's code. */
const GATE_KINDS = { sigmoid: 0, hardSigmoid: 1 } as const;
export type LstmGate = keyof typeof GATE_KINDS;

export interface LstmAttrs {
  goBackwards: boolean;
  gate: LstmGate;
  /** Also return the records `EncdecLstmGrad` needs. */
  record: boolean;
}

/** The module's exports: pointers into the backend's memory, sizes and flags as numbers. */
interface LstmModule {
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Whether the kernels take an LSTM of `units` units (their SIMD lanes need multiples of 4). */
export function lstmKernelFits(units: number): boolean {
  return units > 0 && units % 4 === 0;
}

/** A tensor's address on `backend`'s heap, 0 (null to the module) for an absent input. */
function addressOn(backend: WasmBackendWithMemory) {
  return (info: tf.TensorInfo | undefined) => (info === undefined ? 0 : heapAddress(backend, info));
}

function shapes(xProj: tf.TensorInfo, recurrentKernel: tf.TensorInfo) {
  const [batch, timeSteps, width] = xProj.shape as [number, number, number];
  const units = recurrentKernel.shape[0]!;
  if (!lstmKernelFits(units) || recurrentKernel.shape[1] !== 4 * units || width !== 4 * units) {
    throw invalidArgument(
      'recurrentKernel',
      `${recurrentKernel.shape} with xProj ${xProj.shape}`,
      `[units, 4 * units] with units a multiple of 4, and xProj [batch, timeSteps, 4 * units]`,
    );
  }
  return { batch, timeSteps, units, width };
}

function lstmKernel(args: KernelArgs): tf.TensorInfo[] {
  const { xProj, recurrentKernel, h, c, mask } = args.inputs as Record<string, tf.TensorInfo>;
  const { goBackwards, gate, record } = args.attrs as unknown as LstmAttrs;
  const { batch, timeSteps, units, width } = shapes(xProj!, recurrentKernel!);
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const out = backend.makeOutput([(timeSteps + 2) * batch * units], 'float32');
  const z = backend.makeOutput([batch, width], 'float32'); // one step's pre-activations
  const steps = record ? timeSteps : 0;
  const gates = backend.makeOutput([steps, batch, width], 'float32');
  const hPrev = backend.makeOutput([batch, steps, units], 'float32');
  const cPrev = backend.makeOutput([steps, batch, units], 'float32');
  const cTanh = backend.makeOutput([steps, batch, units], 'float32');
  const slopes = backend.makeOutput([gate === 'hardSigmoid' ? steps : 0, batch, width], 'float32');
  const at = addressOn(backend); // used after the allocations
  try {
    moduleOn<LstmModule>(backend, LSTM_WASM).lstmForward(
      at(xProj),
      at(recurrentKernel),
      at(h),
      at(c),
      at(mask),
      at(out),
      at(z),
      batch,
      timeSteps,
      units,
      goBackwards ? 1 : 0,
      GATE_KINDS[gate],
      record ? 1 : 0,
      at(gates),
      at(slopes),
      at(hPrev),
      at(cPrev),
      at(cTanh),
    );
  } finally {
    backend.disposeData(z.dataId);
  }
  const records = [gates, hPrev, cPrev, cTanh, slopes];
  if (record) return [out, ...records];
  for (const info of records) backend.disposeData(info.dataId);
  return [out];
}

function lstmGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const { dy, recurrentKernel, mask, gates, slopes, cPrev, cTanh } = args.inputs as Record<
    string,
    tf.TensorInfo
  >;
  const { goBackwards, gate } = args.attrs as unknown as LstmAttrs;
  const { batch, timeSteps } = args.attrs as unknown as { batch: number; timeSteps: number };
  const units = recurrentKernel!.shape[0]!;
  const width = 4 * units;
  if (tf.util.sizeFromShape(dy!.shape) !== (timeSteps + 2) * batch * units) {
    throw invalidArgument('dy', dy!.shape, `${(timeSteps + 2) * batch * units} values, like out`);
  }
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const dPre = backend.makeOutput([batch, timeSteps, width], 'float32');
  const dStates = backend.makeOutput([2, batch, units], 'float32');
  const uT = backend.makeOutput([width, units], 'float32');
  const dhPrev = backend.makeOutput([batch, units], 'float32');
  const at = addressOn(backend);
  try {
    moduleOn<LstmModule>(backend, LSTM_WASM).lstmBackward(
      at(dy),
      at(recurrentKernel),
      at(uT),
      at(mask),
      at(gates),
      at(slopes),
      at(cPrev),
      at(cTanh),
      at(dPre),
      at(dStates),
      at(dhPrev),
      batch,
      timeSteps,
      units,
      goBackwards ? 1 : 0,
      GATE_KINDS[gate],
    );
  } finally {
    backend.disposeData(uT.dataId);
    backend.disposeData(dhPrev.dataId);
  }
  return [dPre, dStates];
}

export const wasmLstmConfig: tf.KernelConfig = {
  kernelName: LSTM,
  backendName: 'wasm',
  kernelFunc: lstmKernel as unknown as tf.KernelFunc,
};

export const wasmLstmGradConfig: tf.KernelConfig = {
  kernelName: LSTM_GRAD,
  backendName: 'wasm',
  kernelFunc: lstmGradKernel as unknown as tf.KernelFunc,
};

/** What `lstmLoop` records for `lstmLoopGrad`, as tensors (kept by the caller until then). */
export interface LstmRecords {
  gates: tf.Tensor3D;
  /** [B, T, u]: the state each step read, for the recurrent kernel's gradient. */
  hPrev: tf.Tensor3D;
  cPrev: tf.Tensor3D;
  cTanh: tf.Tensor3D;
  slopes: tf.Tensor3D;
}

export interface LstmLoopInputs {
  xProj: tf.Tensor3D;
  recurrentKernel: tf.Tensor2D;
  h: tf.Tensor2D;
  c: tf.Tensor2D;
  /** [B, T] float32, 0 on skipped steps; null: every step is real. */
  mask: tf.Tensor2D | null;
}

/** Whether the current backend runs the kernels for an LSTM of `units` units. */
export function lstmLoopRuns(units: number): boolean {
  return lstmKernelFits(units) && tf.getKernel(LSTM, tf.getBackend()) !== undefined;
}

/** The loop forward: out [B * T * u + 2 * B * u], and the records when `attrs.record`. */
export function lstmLoop(
  inputs: LstmLoopInputs,
  attrs: LstmAttrs,
): { out: tf.Tensor1D; records: LstmRecords | null } {
  const { mask, ...rest } = inputs;
  const result = tf
    .engine()
    .runKernel(
      LSTM,
      (mask === null ? rest : { ...rest, mask }) as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as unknown as tf.Tensor[];
  const [out, gates, hPrev, cPrev, cTanh, slopes] = result as [tf.Tensor1D, ...tf.Tensor3D[]];
  if (!attrs.record) return { out: out!, records: null };
  return {
    out: out!,
    records: { gates: gates!, hPrev: hPrev!, cPrev: cPrev!, cTanh: cTanh!, slopes: slopes! },
  };
}

/** The loop backward: dPre [B, T, 4u] and dStates [2, B, u] from dy, flat like out. */
export function lstmLoopGrad(
  dy: tf.Tensor1D,
  recurrentKernel: tf.Tensor2D,
  mask: tf.Tensor2D | null,
  records: LstmRecords,
  attrs: Omit<LstmAttrs, 'record'>,
): { dPre: tf.Tensor3D; dStates: tf.Tensor3D } {
  const { gates, slopes, cPrev, cTanh } = records;
  const inputs: Record<string, tf.Tensor> = { dy, recurrentKernel, gates, slopes, cPrev, cTanh };
  if (mask !== null) inputs.mask = mask;
  const [timeSteps, batch] = gates.shape; // [T, B, 4u]
  const [dPre, dStates] = tf.engine().runKernel(
    LSTM_GRAD,
    inputs as tf.NamedTensorMap,
    {
      ...attrs,
      batch,
      timeSteps,
    } as unknown as tf.NamedAttrMap,
  ) as unknown as tf.Tensor3D[];
  return { dPre: dPre!, dStates: dStates! };
}
