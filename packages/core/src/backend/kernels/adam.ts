/**
 * `EncdecAdam`: one Adam update (Kingma & Ba 2015, Algorithm 1) of a variable x, its first moment
 * m and second moment v from the gradient g, as one kernel that reads each array once and writes
 * the three new ones, where TF.js's `AdamOptimizer` runs a dozen element-wise kernels a variable
 * (each a pass over, e.g., a [10000, 64] embedding table):
 *
 *   m' = m beta1 + g (1 - beta1)
 *   v' = v beta2 + g^2 (1 - beta2)
 *   x' = (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon) * -learningRate + x
 *
 * Inputs x, m, v, g (float32, one shape) and the running powers accBeta1 = beta1^t, accBeta2 =
 * beta2^t (float32 scalars, the optimizer's); attributes beta1, beta2, epsilon, learningRate;
 * outputs [x', m', v']. Each operation runs in float32 in the order of TF.js's optimizer (its
 * constants rounded to float32 as its scalars are), so the result is the same to the bit.
 *
 * wasm: a SIMD module compiled from packages/core/assembly/adam.ts on the backend's own memory.
 * cpu: the same arithmetic in JavaScript, `Math.fround` after every operation.
 */
import * as tf from '@tensorflow/tfjs';
import type { CpuBackendLike } from './cpu-backend.js';
import { ADAM_WASM } from './modules/adam-bytes.js';
import { addressOn, freeOnError, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

export const ADAM = 'EncdecAdam';

/** Adam's hyperparameters for one update: the attributes of `EncdecAdam`. */
export interface AdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/** The float32 constants of one update, rounded as TF.js rounds its scalars. */
interface Constants {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  d1: number;
  d2: number;
  eps: number;
  nlr: number;
}

const f = Math.fround;

/** The constants, given beta1^t and beta2^t as float32 (TF.js: `sub(1, accBeta)` in float32). */
function constants(attrs: AdamAttrs, accBeta1: number, accBeta2: number): Constants {
  const { beta1, beta2, epsilon, learningRate } = attrs;
  return {
    b1: f(beta1),
    c1: f(1 - beta1),
    b2: f(beta2),
    c2: f(1 - beta2),
    d1: f(1 - accBeta1),
    d2: f(1 - accBeta2),
    eps: f(epsilon),
    nlr: f(-learningRate),
  };
}

/** The update in JavaScript, rounding every operation to float32 (the `cpu` kernel). */
function adamInto(
  x: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  g: ArrayLike<number>,
  k: Constants,
  xOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  for (let i = 0; i < xOut.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * k.b1) + f(gi * k.c1));
    const vi = f(f(v[i]! * k.b2) + f(f(gi * gi) * k.c2));
    const step = f(f(mi / k.d1) / f(f(Math.sqrt(f(vi / k.d2))) + k.eps));
    xOut[i] = f(step * k.nlr) + x[i]!;
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The inputs of one call, checked: four float32 arrays of one shape, two scalars. */
function inputsOf(args: KernelArgs) {
  const { x, m, v, g, accBeta1, accBeta2 } = args.inputs as Record<string, tf.TensorInfo>;
  for (const [name, info] of Object.entries({ x, m, v, g })) {
    if (info === undefined || info.dtype !== 'float32' || info.shape.join() !== x!.shape.join()) {
      throw new Error(
        `${ADAM} takes float32 x, m, v, g of one shape, got ${name} ${info?.dtype} [${info?.shape}] for x [${x?.shape}]`,
      );
    }
  }
  return { x: x!, m: m!, v: v!, g: g!, accBeta1: accBeta1!, accBeta2: accBeta2! };
}

/** The module's export: pointers into the backend's memory, sizes and constants as numbers. */
interface Kernels {
  adam(
    x: number,
    m: number,
    v: number,
    g: number,
    n: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    d1: number,
    d2: number,
    eps: number,
    nlr: number,
    xOut: number,
    mOut: number,
    vOut: number,
  ): void;
}

function wasmAdam(args: KernelArgs): tf.TensorInfo[] {
  const { x, m, v, g, accBeta1, accBeta2 } = inputsOf(args);
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const outputs = [x, m, v].map(() => backend.makeOutput(x.shape, 'float32'));
  const power = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info)[0]!;
  const k = constants(args.attrs as unknown as AdamAttrs, power(accBeta1), power(accBeta2));
  const at = addressOn(backend); // used after the allocations
  const n = tf.util.sizeFromShape(x.shape);
  freeOnError(backend, outputs, () =>
    moduleOn<Kernels>(backend, ADAM_WASM).adam(
      at(x),
      at(m),
      at(v),
      at(g),
      n,
      k.b1,
      k.c1,
      k.b2,
      k.c2,
      k.d1,
      k.d2,
      k.eps,
      k.nlr,
      at(outputs[0]),
      at(outputs[1]),
      at(outputs[2]),
    ),
  );
  return outputs;
}

function cpuAdam(args: KernelArgs): tf.TensorInfo[] {
  const { x, m, v, g, accBeta1, accBeta2 } = inputsOf(args);
  const cpu = args.backend as unknown as CpuBackendLike;
  const values = (info: tf.TensorInfo) => cpu.data.get(info.dataId).values;
  const k = constants(
    args.attrs as unknown as AdamAttrs,
    values(accBeta1)[0]!,
    values(accBeta2)[0]!,
  );
  const n = tf.util.sizeFromShape(x.shape);
  const [xOut, mOut, vOut] = [0, 1, 2].map(() => new Float32Array(n)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  adamInto(values(x), values(m), values(v), values(g), k, xOut, mOut, vOut);
  return [xOut, mOut, vOut].map((out) => cpu.makeTensorInfo(x.shape, 'float32', out));
}

export const wasmAdamConfig: tf.KernelConfig = {
  kernelName: ADAM,
  backendName: 'wasm',
  kernelFunc: wasmAdam as unknown as tf.KernelFunc,
};

export const cpuAdamConfig: tf.KernelConfig = {
  kernelName: ADAM,
  backendName: 'cpu',
  kernelFunc: cpuAdam as unknown as tf.KernelFunc,
};

/** Whether the current backend has the `EncdecAdam` kernel. */
export function hasAdamKernel(): boolean {
  return tf.getKernel(ADAM, tf.getBackend()) !== undefined;
}

/**
 * [x', m', v'] of one Adam update (see the top of this file) on the current backend, which must
 * have the kernel (`hasAdamKernel`).
 */
export function adamUpdate(
  tensors: { x: tf.Tensor; m: tf.Tensor; v: tf.Tensor; g: tf.Tensor },
  powers: { accBeta1: tf.Tensor; accBeta2: tf.Tensor },
  attrs: AdamAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf
    .engine()
    .runKernel(ADAM, { ...tensors, ...powers }, attrs as unknown as tf.NamedAttrMap) as unknown as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}
