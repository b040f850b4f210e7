/**
 * Registers encdec's kernels with TF.js when `@encdec/core` is imported: the only module of the
 * package with a side effect at import (`sideEffects` in package.json names it).
 *
 * Registering changes no backend: it only fills TF.js's kernel table (a kernel for `wasm` can be
 * registered before the wasm package is loaded), so a user who calls `tf.setBackend('wasm')` or
 * `'cpu'` by hand can train too. `initBackend` adds one speed-up on top for wasm, which needs the
 * wasm package loaded first (see wasm-batch-mat-mul.ts). A second registration (a second copy of
 * the package) replaces the kernel without TF.js's "already registered" warning.
 */
import * as tf from '@tensorflow/tfjs';
import {
  cpuUnsortedSegmentSumConfig,
  wasmUnsortedSegmentSumConfig,
} from './unsorted-segment-sum.js';
import { wasmRecurrentConfigs } from './wasm-recurrent.js';
import {
  wasmCrossEntropyGradConfig,
  wasmRowStatsConfig,
  wasmRowTopKConfig,
} from './wasm-row-stats.js';

/**
 * Every kernel encdec registers, for `cpu` (replacing a slow stock one) and `wasm` (missing, or
 * encdec's own: `EncdecRowStats`, `EncdecRowTopK`, `EncdecCrossEntropyGrad`, `EncdecLstm`,
 * `EncdecGru`, `EncdecRnn` and their gradients).
 */
export const encdecKernels: readonly tf.KernelConfig[] = [
  cpuUnsortedSegmentSumConfig,
  wasmUnsortedSegmentSumConfig,
  wasmRowStatsConfig,
  wasmRowTopKConfig,
  wasmCrossEntropyGradConfig,
  ...wasmRecurrentConfigs,
];

/**
 * The stock kernels we replaced, by `backendName/kernelName`: tests compare ours against them, and
 * a user can put one back with `tf.unregisterKernel` + `tf.registerKernel`.
 */
export const replacedKernels = new Map<string, tf.KernelConfig>();

/** Registers `config`, replacing what is there (`tf.registerKernel` alone would warn). */
function replaceKernel(config: tf.KernelConfig): void {
  const { kernelName, backendName } = config;
  const current = tf.getKernel(kernelName, backendName);
  if (current === config) return;
  if (current !== undefined) {
    replacedKernels.set(`${backendName}/${kernelName}`, current);
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel(config);
}

for (const config of encdecKernels) replaceKernel(config);
