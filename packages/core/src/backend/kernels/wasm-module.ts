/**
 * encdec's own wasm modules (compiled from packages/core/assembly/ by `npm run build:wasm`) run on
 * the memory of TF.js's wasm backend: instantiated with that memory as their only import, they
 * read and write tensors where the kernels point them, with no copy in or out.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * The part of the wasm backend (TF.js does not export its class) that encdec's kernels use: it
 * keeps tensors on its heap, `makeOutput` allocates one there, `typedArrayFromHeap` views one
 * (a view taken before an allocation may be detached by it), data is reference-counted.
 */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
}

/** The part of the WebAssembly API used here (the project's TypeScript libs have no DOM types). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** The wasm backend and its module, whose exports hold the backend's WebAssembly.Memory. */
export interface WasmBackendWithMemory extends WasmBackendLike {
  wasm: { asm: { memory: object } };
}

/**
 * The exports of the module `base64` instantiated on `backend`'s memory: once per module and
 * memory (a new backend has a new memory).
 */
export function moduleOn<T>(backend: WasmBackendWithMemory, base64: string): T {
  const memory = backend.wasm.asm.memory;
  let byModule = instances.get(memory);
  if (byModule === undefined) {
    byModule = new Map();
    instances.set(memory, byModule);
  }
  let exports = byModule.get(base64);
  if (exports === undefined) {
    const module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    byModule.set(base64, exports);
  }
  return exports as T;
}

/**
 * Where `info`'s data starts in the backend's memory: the pointer a module's function takes. Take
 * it after the kernel's allocations: a malloc may grow (and move views of) the heap.
 */
export function heapAddress(backend: WasmBackendLike, info: tf.TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}

/**
 * `heapAddress` on `backend` as a function of the tensor, 0 (null to a module) for an absent
 * optional input: a kernel's `at`, used after its allocations.
 */
export function addressOn(backend: WasmBackendLike): (info: tf.TensorInfo | undefined) => number {
  return (info) => (info === undefined ? 0 : heapAddress(backend, info));
}

/**
 * `run()`, freeing the kernel's outputs `infos` if it throws (a module that does not load, a
 * trap): a failed kernel leaves nothing on the heap.
 */
export function freeOnError<T>(backend: WasmBackendLike, infos: tf.TensorInfo[], run: () => T): T {
  try {
    return run();
  } catch (error) {
    for (const info of infos) backend.disposeData(info.dataId);
    throw error;
  }
}

const instances = new WeakMap<object, Map<string, Record<string, unknown>>>();
