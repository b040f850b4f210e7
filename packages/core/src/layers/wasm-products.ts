/**
 * The fused loops' per-step products on the wasm backend's matrix product (XNNPACK, SIMD):
 * ~15 us for the seed model's [64, 32] x [32, 128] against ~90 us for the float64 JavaScript loop
 * (fused-matmul.ts). The JavaScript loops use them on wasm where encdec's loop kernels do not run
 * (backend/kernels/wasm-recurrent.ts): the simple RNN's.
 *
 * The kernel is called directly, not through the engine (no tensor, no tape, no per-op overhead):
 * the weight block is copied once per loop onto the wasm heap (transposed for `transposed`), where
 * XNNPACK packs it once; each step writes the left operand into a reused heap buffer, runs the
 * product and reads the result back. Float32 arithmetic, as the stock layers use. Products smaller
 * than `minWork` multiply-adds stay in JavaScript, where the call would cost more than it saves.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend/kernels/wasm-kernel-swap.js';
import { addProduct, type Block, type Products, productTransposed } from './fused-matmul.js';

/** Below this many multiply-adds a step's product stays in JavaScript. */
export const MIN_WASM_WORK = 8192;

/** Products on the wasm backend when it is the active one, else null. */
export function wasmProducts(minWork = MIN_WASM_WORK): Products | null {
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (tf.getBackend() !== 'wasm' || matMul === undefined) return null;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const owned: tf.TensorInfo[] = [];
  const alloc = (shape: number[]) => {
    const info = backend.makeOutput(shape, 'float32');
    owned.push(info);
    return info;
  };
  // Views are fetched at each use: an allocation may grow the heap and detach older views.
  const view = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info) as Float32Array;
  const weights = new Map<Block, tf.TensorInfo>(); // per weight block and direction
  const weightsT = new Map<Block, tf.TensorInfo>();
  const lefts = new Map<string, tf.TensorInfo>(); // left-operand buffers by shape

  /** B [1, inner, cols] on the heap: m itself, or m^T when m is [cols, inner]. */
  function weight(m: Block, inner: number, cols: number, transposed: boolean): tf.TensorInfo {
    const cache = transposed ? weightsT : weights;
    let info = cache.get(m);
    if (info === undefined) {
      info = alloc([1, inner, cols]);
      const b = view(info);
      for (let k = 0; k < inner; k++) {
        for (let j = 0; j < cols; j++) {
          b[k * cols + j] = transposed
            ? m.data[j * m.stride + m.offset + k]!
            : m.data[k * m.stride + m.offset + j]!;
        }
      }
      cache.set(m, info);
    }
    return info;
  }

  /** a [rows, inner] x B on the heap; `use` reads the product [rows * cols] before it is freed. */
  function product(
    a: Block,
    rows: number,
    inner: number,
    b: tf.TensorInfo,
    use: (c: Float32Array) => void,
  ) {
    const key = `${rows},${inner}`;
    let left = lefts.get(key);
    if (left === undefined) {
      left = alloc([1, rows, inner]);
      lefts.set(key, left);
    }
    const l = view(left);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < inner; k++) l[r * inner + k] = a.data[r * a.stride + a.offset + k]!;
    }
    const out = matMul!.kernelFunc({
      inputs: { a: left, b },
      attrs: { transposeA: false, transposeB: false },
      backend: backend as unknown as tf.KernelBackend,
    }) as tf.TensorInfo;
    try {
      use(view(out));
    } finally {
      backend.disposeData(out.dataId);
    }
  }

  return {
    add(out, a, m, rows, inner, cols) {
      if (rows * inner * cols < minWork) return addProduct(out, a, m, rows, inner, cols);
      product(a, rows, inner, weight(m, inner, cols, false), (c) => {
        for (let r = 0; r < rows; r++) {
          const o = r * out.stride + out.offset;
          for (let j = 0; j < cols; j++) out.data[o + j] += c[r * cols + j]!;
        }
      });
    },
    transposed(out, a, m, rows, inner, cols) {
      if (rows * inner * cols < minWork) return productTransposed(out, a, m, rows, inner, cols);
      product(a, rows, inner, weight(m, inner, cols, true), (c) => {
        for (let r = 0; r < rows; r++) {
          const o = r * out.stride + out.offset;
          for (let j = 0; j < cols; j++) out.data[o + j] = c[r * cols + j]!;
        }
      });
    },
    dispose() {
      for (const info of owned) backend.disposeData(info.dataId);
      owned.length = 0;
      weights.clear();
      weightsT.clear();
      lefts.clear();
    },
  };
}
