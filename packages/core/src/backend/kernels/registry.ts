/**
 * The one place that puts encdec's kernels into TF.js's kernel table, and remembers the stock
 * kernel each one replaced (tests compare ours against it; a user can put one back with
 * `tf.unregisterKernel` + `tf.registerKernel`). Two ways in:
 *
 * - `replaceKernel(config)`: encdec's own kernel, registered when `@encdec/core` is imported (a
 *   kernel for `wasm` can be registered before the wasm package is loaded).
 * - `wrapKernel(name, backend, wrap)`: a wrapper around the stock kernel (it needs the stock
 *   kernel and its `setupFunc`), so it is built only once the backend has registered its kernels.
 *
 * Both are idempotent, and replace what is there without TF.js's "already registered" warning (a
 * second copy of the package replaces the first's kernels).
 */
import * as tf from '@tensorflow/tfjs';

/** Per `backendName/kernelName`: the stock kernel and encdec's in its place. */
const replaced = new Map<string, { stock: tf.KernelConfig | undefined; ours: tf.KernelConfig }>();

const keyOf = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

function install(key: string, stock: tf.KernelConfig | undefined, ours: tf.KernelConfig): void {
  const { kernelName, backendName } = ours;
  replaced.set(key, { stock, ours });
  if (tf.getKernel(kernelName, backendName) !== undefined) {
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel(ours);
}

/** Registers `config`, replacing what is there. */
export function replaceKernel(config: tf.KernelConfig): void {
  const key = keyOf(config.kernelName, config.backendName);
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (current === config) return;
  const stock = current === replaced.get(key)?.ours ? replaced.get(key)?.stock : current;
  install(key, stock, config);
}

/**
 * Registers `wrap(stock)` as `backendName`'s `kernelName`. A second call keeps the first
 * wrapper. Returns the stock kernel, or undefined when the backend has no such kernel.
 */
export function wrapKernel(
  kernelName: string,
  backendName: string,
  wrap: (stock: tf.KernelConfig) => tf.KernelConfig,
): tf.KernelConfig | undefined {
  const key = keyOf(kernelName, backendName);
  const current = tf.getKernel(kernelName, backendName);
  if (current === undefined) return undefined;
  const entry = replaced.get(key);
  if (current === entry?.ours) return entry.stock;
  install(key, current, wrap(current));
  return current;
}

/** The stock kernel that encdec replaced, if it replaced one. */
export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return replaced.get(keyOf(kernelName, backendName))?.stock;
}
