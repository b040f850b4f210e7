/**
 * A linear-time `UnsortedSegmentSum` kernel for the `cpu` and `wasm` backends.
 *
 * `UnsortedSegmentSum` is the gradient of `gather`, so of every Embedding layer: the rows of the
 * incoming gradient are added into the rows of the vocabulary they were read from. TF.js 4.22's
 * `cpu` kernel builds one mask per segment (per vocabulary word: O(numSegments * size(x)), over six
 * minutes for one training step at a 10,000-word vocabulary) and `wasm` has no kernel at all
 * ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"), so nothing with an Embedding
 * trains there. This one reads each element of `x` once: O(size(x) + size(output)).
 *
 * Semantics follow TensorFlow's `tf.math.unsorted_segment_sum`: `segmentIds` has the shape of a
 * prefix of `x.shape`, the output is `[numSegments, ...x.shape.slice(segmentIds.rank)]`, segments
 * no id points to are zero, and ids outside `[0, numSegments)` are dropped (TF on GPU, and what the
 * stock TF.js kernel computes too).
 */
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { CpuBackendLike } from './cpu-backend.js';
import type { WasmBackendLike } from './wasm-module.js';

/** The inputs and attribute of one call, as both kernels receive them. */
interface SegmentSumProblem {
  x: TensorInfo;
  segmentIds: TensorInfo;
  numSegments: number;
}

/** The output's shape: `[numSegments, ...x.shape.slice(segmentIds.rank)]`. */
function outputShape({ x, segmentIds, numSegments }: SegmentSumProblem): number[] {
  const prefix = segmentIds.shape;
  const matches = prefix.every((dim, axis) => x.shape[axis] === dim);
  if (prefix.length > x.shape.length || !matches) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${prefix}] must be a prefix of x shape [${x.shape}].`,
    );
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be an integer >= 0, got ${numSegments}.`);
  }
  return [numSegments, ...x.shape.slice(prefix.length)];
}

function checkDtype(dtype: DataType): void {
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum: x must be float32 or int32, got ${dtype}.`);
  }
}

/**
 * out[ids[i], j] += x[i, j] for every row i of x seen as [ids.length, inner]; rows whose id is
 * outside [0, numSegments) are skipped. Sums in float64, so the result does not depend on the
 * order of the rows beyond the final rounding to float32.
 */
export function segmentSumInto(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  const rows = ids.length;
  const inner = numSegments === 0 ? 0 : out.length / numSegments;
  const acc = new Float64Array(out.length);
  for (let i = 0; i < rows; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) acc[to + j]! += x[from + j]!;
  }
  out.set(acc);
}

type KernelArgs = Parameters<KernelFunc>[0];

function cpuUnsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const cpu = backend as unknown as CpuBackendLike;
  const problem = toProblem(inputs, attrs);
  checkDtype(problem.x.dtype);
  const shape = outputShape(problem);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = problem.x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  const x = cpu.data.get(problem.x.dataId).values;
  const ids = cpu.data.get(problem.segmentIds.dataId).values;
  segmentSumInto(x, ids, problem.numSegments, out);
  return cpu.makeTensorInfo(shape, problem.x.dtype, out);
}

function wasmUnsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as unknown as WasmBackendLike;
  const problem = toProblem(inputs, attrs);
  checkDtype(problem.x.dtype);
  const output = wasm.makeOutput(outputShape(problem), problem.x.dtype);
  // Views are taken after the allocation: a malloc may grow the heap and detach older views.
  const out = wasm.typedArrayFromHeap(output) as Float32Array | Int32Array;
  const x = wasm.typedArrayFromHeap(problem.x);
  const ids = wasm.typedArrayFromHeap(problem.segmentIds);
  segmentSumInto(x, ids, problem.numSegments, out);
  return output;
}

function toProblem(inputs: KernelArgs['inputs'], attrs: KernelArgs['attrs']): SegmentSumProblem {
  return {
    x: inputs.x as TensorInfo,
    segmentIds: inputs.segmentIds as TensorInfo,
    numSegments: attrs?.numSegments as number,
  };
}

/** Kernel name used by TF.js (`tf.UnsortedSegmentSum`), kept literal so this file needs no tf. */
const kernelName = 'UnsortedSegmentSum';

export const cpuUnsortedSegmentSumConfig: KernelConfig = {
  kernelName,
  backendName: 'cpu',
  kernelFunc: cpuUnsortedSegmentSum as KernelFunc,
};

export const wasmUnsortedSegmentSumConfig: KernelConfig = {
  kernelName,
  backendName: 'wasm',
  kernelFunc: wasmUnsortedSegmentSum as KernelFunc,
};
