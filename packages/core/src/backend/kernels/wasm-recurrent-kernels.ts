/**
 * The wasm kernels of the recurrent loops, by modules compiled from packages/core/assembly/lstm.ts,
 * gru.ts and rnn.ts that run on the backend's own memory with SIMD (each cell's layout:
 * wasm-recurrent-specs.ts; how the fused op runs them: wasm-recurrent.ts).
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
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors.js';
import { addressOn, freeOnError, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';
import {
  type CellSpec,
  type Dims,
  GATE_KINDS,
  type Module,
  type RecurrentAttrs,
  recordNames,
  recurrentKernelFits,
  SPECS,
} from './wasm-recurrent-specs.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

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
