/**
 * LayerNorm (Ba et al. 2016) over the last axis of x [rows, d] as a kernel pair, where the stock
 * ops run about nine kernels forward (moments, subtract, rsqrt, scale, shift) and more backward:
 *
 * `EncdecLayerNorm`: x [..., d], gamma [d], beta [d], attribute epsilon ->
 *   y [..., d] = (x - mean) * rstd * gamma + beta, and per row mean [rows] and
 *   rstd [rows] = 1 / sqrt(var + epsilon) (the biased variance, as tf.moments), for the gradient.
 *
 * `EncdecLayerNormGrad`: dy, x [..., d], mean, rstd [rows], gamma [d] -> with
 * xhat = (x - mean) * rstd and g = dy * gamma,
 *   dx = rstd * (g - mean_j(g) - xhat * mean_j(g * xhat)),  dgamma = sum_rows dy * xhat,
 *   dbeta = sum_rows dy.
 *
 * wasm: a SIMD module compiled from packages/core/assembly/layer-norm.ts on the backend's own
 * memory, in float32. cpu: the same formulas in JavaScript (float64 within a row).
 * ops/layer-norm.ts makes the pair one differentiable op.
 */
import * as tf from '@tensorflow/tfjs';
import type { CpuBackendLike } from './cpu-backend.js';
import { LAYER_NORM_WASM } from './modules/layer-norm-bytes.js';
import { addressOn, freeOnError, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

export const LAYER_NORM = 'EncdecLayerNorm';
export const LAYER_NORM_GRAD = 'EncdecLayerNormGrad';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** rows and d of x [..., d], checked against gamma (and beta) [d]. */
function sizes(kernel: string, x: tf.TensorInfo, gamma: tf.TensorInfo, beta?: tf.TensorInfo) {
  const d = x.shape[x.shape.length - 1] ?? 0;
  const params = beta === undefined ? [gamma] : [gamma, beta];
  if (x.dtype !== 'float32' || params.some((p) => p.shape.join() !== `${d}`)) {
    throw new Error(
      `${kernel} takes float32 x [..., d] and gamma, beta [d], got x ${x.dtype} [${x.shape}], gamma [${gamma.shape}]`,
    );
  }
  return { rows: d === 0 ? 0 : tf.util.sizeFromShape(x.shape) / d, d };
}

/** The module's exports: pointers into the backend's memory, sizes as numbers. */
interface Kernels {
  layerNorm(
    x: number,
    rows: number,
    d: number,
    gamma: number,
    beta: number,
    eps: number,
    y: number,
    mean: number,
    rstd: number,
  ): void;
  layerNormGrad(
    dy: number,
    x: number,
    rows: number,
    d: number,
    mean: number,
    rstd: number,
    gamma: number,
    dx: number,
    dgamma: number,
    dbeta: number,
  ): void;
}

function wasmLayerNorm(args: KernelArgs): tf.TensorInfo[] {
  const { x, gamma, beta } = args.inputs as Record<string, tf.TensorInfo>;
  const { rows, d } = sizes(LAYER_NORM, x!, gamma!, beta!);
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const y = backend.makeOutput(x!.shape, 'float32');
  const mean = backend.makeOutput([rows], 'float32');
  const rstd = backend.makeOutput([rows], 'float32');
  const at = addressOn(backend); // used after the allocations
  const epsilon = (args.attrs as { epsilon: number }).epsilon;
  freeOnError(backend, [y, mean, rstd], () =>
    moduleOn<Kernels>(backend, LAYER_NORM_WASM).layerNorm(
      at(x),
      rows,
      d,
      at(gamma),
      at(beta),
      epsilon,
      at(y),
      at(mean),
      at(rstd),
    ),
  );
  return [y, mean, rstd];
}

function wasmLayerNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const { dy, x, mean, rstd, gamma } = args.inputs as Record<string, tf.TensorInfo>;
  const { rows, d } = sizes(LAYER_NORM_GRAD, x!, gamma!);
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const dx = backend.makeOutput(x!.shape, 'float32');
  const dgamma = backend.makeOutput([d], 'float32');
  const dbeta = backend.makeOutput([d], 'float32');
  backend.typedArrayFromHeap(dgamma).fill(0); // the module sums into both
  backend.typedArrayFromHeap(dbeta).fill(0);
  const at = addressOn(backend); // used after the allocations
  freeOnError(backend, [dx, dgamma, dbeta], () =>
    moduleOn<Kernels>(backend, LAYER_NORM_WASM).layerNormGrad(
      at(dy),
      at(x),
      rows,
      d,
      at(mean),
      at(rstd),
      at(gamma),
      at(dx),
      at(dgamma),
      at(dbeta),
    ),
  );
  return [dx, dgamma, dbeta];
}

function cpuLayerNorm(args: KernelArgs): tf.TensorInfo[] {
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const { rows, d } = sizes(LAYER_NORM, inputs.x!, inputs.gamma!, inputs.beta!);
  const cpu = args.backend as unknown as CpuBackendLike;
  const [x, gamma, beta] = [inputs.x!, inputs.gamma!, inputs.beta!].map(
    (t) => cpu.data.get(t.dataId).values,
  ) as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  const epsilon = (args.attrs as { epsilon: number }).epsilon;
  const y = new Float32Array(rows * d);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j]!;
    const m = s / d;
    let q = 0;
    for (let j = 0; j < d; j++) q += (x[r * d + j]! - m) ** 2;
    const rs = 1 / Math.sqrt(q / d + epsilon);
    for (let j = 0; j < d; j++) y[r * d + j] = (x[r * d + j]! - m) * rs * gamma[j]! + beta[j]!;
    mean[r] = m;
    rstd[r] = rs;
  }
  return [
    cpu.makeTensorInfo(inputs.x!.shape, 'float32', y),
    cpu.makeTensorInfo([rows], 'float32', mean),
    cpu.makeTensorInfo([rows], 'float32', rstd),
  ];
}

function cpuLayerNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const { rows, d } = sizes(LAYER_NORM_GRAD, inputs.x!, inputs.gamma!);
  const cpu = args.backend as unknown as CpuBackendLike;
  const [dy, x, mean, rstd, gamma] = [
    inputs.dy!,
    inputs.x!,
    inputs.mean!,
    inputs.rstd!,
    inputs.gamma!,
  ].map((t) => cpu.data.get(t.dataId).values) as ArrayLike<number>[] as [
    ArrayLike<number>,
    ArrayLike<number>,
    ArrayLike<number>,
    ArrayLike<number>,
    ArrayLike<number>,
  ];
  const dx = new Float32Array(rows * d);
  const dgamma = new Float64Array(d);
  const dbeta = new Float64Array(d);
  const xhat = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < d; j++) {
      const i = r * d + j;
      xhat[j] = (x[i]! - mean[r]!) * rstd[r]!;
      const g = dy[i]! * gamma[j]!;
      sumG += g;
      sumGX += g * xhat[j]!;
      dgamma[j]! += dy[i]! * xhat[j]!;
      dbeta[j]! += dy[i]!;
    }
    for (let j = 0; j < d; j++) {
      const g = dy[r * d + j]! * gamma[j]!;
      dx[r * d + j] = rstd[r]! * (g - sumG / d - (xhat[j]! * sumGX) / d);
    }
  }
  return [
    cpu.makeTensorInfo(inputs.x!.shape, 'float32', dx),
    cpu.makeTensorInfo([d], 'float32', Float32Array.from(dgamma)),
    cpu.makeTensorInfo([d], 'float32', Float32Array.from(dbeta)),
  ];
}

const config = (kernelName: string, backendName: string, f: unknown): tf.KernelConfig => ({
  kernelName,
  backendName,
  kernelFunc: f as tf.KernelFunc,
});

export const layerNormConfigs: readonly tf.KernelConfig[] = [
  config(LAYER_NORM, 'wasm', wasmLayerNorm),
  config(LAYER_NORM_GRAD, 'wasm', wasmLayerNormGrad),
  config(LAYER_NORM, 'cpu', cpuLayerNorm),
  config(LAYER_NORM_GRAD, 'cpu', cpuLayerNormGrad),
];

/** Whether the current backend has both kernels. */
export function hasLayerNormKernels(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(LAYER_NORM, backend) !== undefined &&
    tf.getKernel(LAYER_NORM_GRAD, backend) !== undefined
  );
}
