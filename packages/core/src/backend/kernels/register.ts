/**
 * Registers encdec's kernels with TF.js when `@encdec/core` is imported: the only module of the
 * package with a side effect at import (`sideEffects` in package.json names it).
 *
 * Registering changes no backend: it only fills TF.js's kernel table (a kernel for `wasm` can be
 * registered before the wasm package is loaded), so a user who calls `tf.setBackend('wasm')` or
 * `'cpu'` by hand can train too. `initBackend` adds wrappers around stock wasm kernels on top, which
 * need the wasm package loaded first (registry.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { cpuAdamConfig, wasmAdamConfig } from './adam.js';
import { layerNormConfigs } from './layer-norm.js';
import { replaceKernel } from './registry.js';
import {
  cpuUnsortedSegmentSumConfig,
  wasmUnsortedSegmentSumConfig,
} from './unsorted-segment-sum.js';
import { wasmRecurrentConfigs } from './wasm-recurrent-kernels.js';
import {
  wasmCrossEntropyGradConfig,
  wasmRowStatsConfig,
  wasmRowTopKConfig,
} from './wasm-row-stats.js';

/**
 * Every kernel encdec registers, for `cpu` (replacing a slow stock one) and `wasm` (missing, or
 * encdec's own: `EncdecRowStats`, `EncdecRowTopK`, `EncdecCrossEntropyGrad`, `EncdecLstm`,
 * `EncdecGru`, `EncdecRnn` and their gradients, `EncdecAdam`, `EncdecLayerNorm` and
 * `EncdecLayerNormGrad` on both).
 */
export const encdecKernels: readonly tf.KernelConfig[] = [
  cpuUnsortedSegmentSumConfig,
  wasmUnsortedSegmentSumConfig,
  wasmRowStatsConfig,
  wasmRowTopKConfig,
  wasmCrossEntropyGradConfig,
  ...wasmRecurrentConfigs,
  wasmAdamConfig,
  cpuAdamConfig,
  ...layerNormConfigs,
];

for (const config of encdecKernels) replaceKernel(config);
